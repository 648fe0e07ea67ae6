"use client";
// The traces table's keys: j/k (and the arrows while no trace is open) move the focus, and move the open
// trace along; Enter or o opens, x selects, Escape closes the drawer. Keys typed into fields, dialogs and
// menus are theirs.
import { useCallback, useEffect, useState, type RefObject } from "react";
import type { UrlStateSetter } from "@/components/useUrlState";

/** `ids`: the rows on the page, in order (keep the array stable between renders). */
export function useTraceKeyboard(opts: { ids: string[]; openTrace: string | null; set: UrlStateSetter; toggleSelected: (id: string) => void; tableRef: RefObject<HTMLElement | null> }) {
  const { ids, openTrace, set, toggleSelected, tableRef } = opts;
  const [focusId, setFocusId] = useState<string | null>(openTrace);
  const focusIndex = focusId ? ids.indexOf(focusId) : -1;
  /** open a trace in the drawer (a history entry, so Back closes it), or close the drawer with null */
  const openRow = useCallback(
    (id: string | null) => {
      set({ trace: id, span: null }, "push");
      if (id) setFocusId(id);
    },
    [set],
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (t.closest("input, textarea, select, [contenteditable=true], dialog, [role=dialog], [role=menu]")) return;
      // With the drawer open, keys belong to the trace view unless they move between traces.
      if (!ids.length) return;
      const move = (d: number) => {
        e.preventDefault();
        const i = focusIndex < 0 ? (d > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, focusIndex + d));
        const id = ids[i];
        setFocusId(id);
        if (openTrace) set({ trace: id, span: null });
        tableRef.current?.querySelector(`[data-trace-id="${id}"]`)?.scrollIntoView({ block: "nearest" });
      };
      if (e.key === "j" || (!openTrace && e.key === "ArrowDown")) move(1);
      else if (e.key === "k" || (!openTrace && e.key === "ArrowUp")) move(-1);
      else if ((e.key === "Enter" || e.key === "o") && focusIndex >= 0 && !openTrace) {
        e.preventDefault();
        openRow(ids[focusIndex]);
      } else if (e.key === "x" && focusIndex >= 0) {
        e.preventDefault();
        toggleSelected(ids[focusIndex]);
      } else if (e.key === "Escape" && openTrace) {
        openRow(null);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [ids, focusIndex, openTrace, openRow, set, toggleSelected, tableRef]);
  return { focusId, openRow };
}
