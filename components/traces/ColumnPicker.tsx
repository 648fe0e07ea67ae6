"use client";
import { useEffect, useState } from "react";
import { IconColumns } from "@/components/ui/Icons";
import { Popover } from "@/components/ui/Popover";

/** A column as the picker offers it (the registry's TraceColumn is one). */
export interface PickerColumn {
  id: string;
  label: string;
  defaultHidden?: boolean;
  /** always shown: the picker cannot hide it */
  locked?: boolean;
}

/** Visible column keys, persisted per browser in localStorage under `storageKey`. */
export function useVisibleColumns(storageKey: string, columns: readonly PickerColumn[]): [Set<string>, (s: Set<string>) => void] {
  const defaults = () => new Set(columns.filter((c) => !c.defaultHidden).map((c) => c.id));
  const [visible, setVisible] = useState<Set<string>>(defaults);
  useEffect(() => {
    try {
      const saved = localStorage.getItem(storageKey);
      if (saved) {
        const keys = (JSON.parse(saved) as string[]).filter((k) => columns.some((c) => c.id === k));
        if (keys.length) setVisible(new Set(keys));
      }
    } catch {
      /* unreadable storage: keep defaults */
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [storageKey]);
  const update = (s: Set<string>) => {
    setVisible(s);
    try {
      localStorage.setItem(storageKey, JSON.stringify([...s]));
    } catch {
      /* private mode */
    }
  };
  return [visible, update];
}

export function ColumnPicker({ columns, visible, onChange }: { columns: readonly PickerColumn[]; visible: Set<string>; onChange: (s: Set<string>) => void }) {
  return (
    <Popover
      label="Choose columns"
      className="w-52 p-1.5"
      trigger={
        <button type="button" className="inline-flex h-7 items-center gap-1 rounded-md border border-slate-300 bg-white px-2 text-xs font-medium text-slate-700 shadow-sm hover:bg-slate-50">
          <IconColumns size={13} /> Columns
        </button>
      }
    >
      {columns.map((c) => (
        <label key={c.id} className="flex cursor-pointer items-center gap-2 rounded px-2 py-1 text-sm text-slate-700 hover:bg-slate-50">
          <input
            type="checkbox"
            className="h-3.5 w-3.5 accent-indigo-600"
            checked={visible.has(c.id)}
            disabled={c.locked}
            onChange={() => {
              const n = new Set(visible);
              if (n.has(c.id)) n.delete(c.id);
              else n.add(c.id);
              onChange(n);
            }}
          />
          {c.label}
        </label>
      ))}
      <button
        type="button"
        className="mt-1 w-full rounded px-2 py-1 text-left text-xs text-indigo-600 hover:bg-indigo-50"
        onClick={() => onChange(new Set(columns.filter((c) => !c.defaultHidden).map((c) => c.id)))}
      >
        Reset to default
      </button>
    </Popover>
  );
}
