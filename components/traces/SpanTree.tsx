"use client";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef } from "react";
import { cn } from "@/components/ui/cn";
import { formatDuration } from "@/components/ui/format";
import { IconChevronDown, IconChevronRight, SpanTypeIcon } from "@/components/ui/Icons";
import type { SpanSkeleton } from "./skeleton";

export interface SpanIndex {
  children: number[][];
  roots: number[];
  depth: Int32Array;
  total: number;
}

/** Children lists, roots and depths from the skeleton's parent indexes: O(n), no recursion (deep traces). */
export function indexSkeleton(sk: SpanSkeleton): SpanIndex {
  const n = sk.ids.length;
  const children: number[][] = new Array(n);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) children[i] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = sk.parents[i];
    if (p >= 0 && p !== i) children[p].push(i);
    else roots.push(i);
    const e = sk.ends[i] ?? sk.starts[i];
    if (e > total) total = e;
  }
  const depth = new Int32Array(n);
  const seen = new Uint8Array(n);
  const walk = (from: number) => {
    const stack = [from];
    while (stack.length) {
      const i = stack.pop()!;
      if (seen[i]) continue; // a parent cycle in bad data must not hang the browser
      seen[i] = 1;
      for (const c of children[i]) {
        if (seen[c]) continue;
        depth[c] = depth[i] + 1;
        stack.push(c);
      }
    }
  };
  for (const r of roots) walk(r);
  // Spans in a parent cycle are reachable from no root: the earliest of each cycle becomes one.
  for (let i = 0; i < n; i++) {
    if (!seen[i]) {
      roots.push(i);
      depth[i] = 0;
      walk(i);
    }
  }
  return { children, roots, depth, total: total || 1 };
}

/** The rows on screen: depth-first order, skipping collapsed subtrees. */
export function visibleRows(idx: SpanIndex, collapsed: Set<number>): number[] {
  const out: number[] = [];
  const stack = [...idx.roots].reverse();
  const seen = new Uint8Array(idx.depth.length);
  while (stack.length) {
    const i = stack.pop()!;
    if (seen[i]) continue;
    seen[i] = 1;
    out.push(i);
    if (!collapsed.has(i)) {
      const ch = idx.children[i];
      for (let j = ch.length - 1; j >= 0; j--) stack.push(ch[j]);
    }
  }
  return out;
}

const ROW = 26;

const BAR_COLORS: Record<string, string> = {
  LLM: "bg-violet-400",
  CHAT_MODEL: "bg-violet-400",
  AGENT: "bg-indigo-400",
  TOOL: "bg-amber-400",
  RETRIEVER: "bg-emerald-400",
  EMBEDDING: "bg-teal-400",
  CHAIN: "bg-sky-400",
};

export function SpanTree({
  skeleton,
  index,
  rows,
  selected,
  onSelect,
  collapsed,
  onToggle,
  matches,
}: {
  skeleton: SpanSkeleton;
  index: SpanIndex;
  rows: number[];
  selected: number;
  onSelect: (i: number) => void;
  collapsed: Set<number>;
  onToggle: (i: number, open?: boolean) => void;
  matches: Set<number> | null;
}) {
  const parentRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: rows.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW, overscan: 12 });
  const pos = useMemo(() => {
    const m = new Map<number, number>();
    rows.forEach((r, i) => m.set(r, i));
    return m;
  }, [rows]);

  useEffect(() => {
    const p = pos.get(selected);
    if (p !== undefined) virt.scrollToIndex(p, { align: "auto" });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected]);

  const onKey = (e: React.KeyboardEvent) => {
    const p = pos.get(selected) ?? 0;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (p < rows.length - 1) onSelect(rows[p + 1]);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (p > 0) onSelect(rows[p - 1]);
    } else if (e.key === "ArrowRight") {
      e.preventDefault();
      if (index.children[selected].length && collapsed.has(selected)) onToggle(selected, true);
      else if (index.children[selected].length) onSelect(index.children[selected][0]);
    } else if (e.key === "ArrowLeft") {
      e.preventDefault();
      if (index.children[selected].length && !collapsed.has(selected)) onToggle(selected, false);
      else if (skeleton.parents[selected] >= 0) onSelect(skeleton.parents[selected]);
    } else if (e.key === "Home") {
      e.preventDefault();
      onSelect(rows[0]);
    } else if (e.key === "End") {
      e.preventDefault();
      onSelect(rows[rows.length - 1]);
    }
  };

  const ticks = [0, 0.5, 1];
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex h-6 shrink-0 items-center border-b border-slate-200 bg-slate-50 text-[10px] text-slate-400">
        <div className="min-w-0 flex-1 px-3 font-medium uppercase tracking-wide">Span</div>
        <div className="relative h-full w-[38%] shrink-0 border-l border-slate-200">
          {ticks.map((t) => (
            <span key={t} className="absolute top-1 tabular-nums" style={t === 1 ? { right: 6 } : { left: `${t * 100}%`, transform: t === 0 ? "translateX(3px)" : "translateX(-50%)" }}>
              {t === 0 ? "0" : formatDuration(index.total * t)}
            </span>
          ))}
        </div>
      </div>
      <div
        ref={parentRef}
        tabIndex={0}
        role="tree"
        aria-label="Span tree"
        onKeyDown={onKey}
        className="scroll-thin min-h-0 flex-1 overflow-auto focus:outline-none"
        data-testid="span-tree"
      >
        <div style={{ height: virt.getTotalSize(), position: "relative" }}>
          {virt.getVirtualItems().map((v) => {
            const i = rows[v.index];
            const hasKids = index.children[i].length > 0;
            const isOpen = !collapsed.has(i);
            const start = skeleton.starts[i];
            const end = skeleton.ends[i];
            const dur = end === null ? null : end - start;
            const left = (start / index.total) * 100;
            const width = end === null ? 100 - left : Math.max(((end - start) / index.total) * 100, 0.15);
            const err = skeleton.status[i] === "ERROR";
            const isSel = i === selected;
            const isMatch = matches?.has(i);
            const type = skeleton.types[i];
            return (
              <div
                key={v.key}
                role="treeitem"
                aria-selected={isSel}
                aria-expanded={hasKids ? isOpen : undefined}
                aria-level={index.depth[i] + 1}
                data-span-id={skeleton.ids[i]}
                onClick={() => onSelect(i)}
                className={cn(
                  "absolute left-0 top-0 flex w-full cursor-pointer items-center text-[12.5px]",
                  isSel ? "bg-indigo-100/80" : isMatch ? "bg-amber-50 hover:bg-amber-100/70" : "hover:bg-slate-50",
                )}
                style={{ height: ROW, transform: `translateY(${v.start}px)` }}
              >
                <div className="flex min-w-0 flex-1 items-center gap-1 pr-2" style={{ paddingLeft: 6 + Math.min(index.depth[i], 40) * 14 }}>
                  {hasKids ? (
                    <button
                      type="button"
                      aria-label={isOpen ? "Collapse" : "Expand"}
                      onClick={(e) => {
                        e.stopPropagation();
                        onToggle(i);
                      }}
                      className="flex h-4 w-4 shrink-0 items-center justify-center rounded text-slate-400 hover:bg-slate-200 hover:text-slate-700"
                    >
                      {isOpen ? <IconChevronDown size={12} /> : <IconChevronRight size={12} />}
                    </button>
                  ) : (
                    <span className="w-4 shrink-0" />
                  )}
                  <SpanTypeIcon type={type} size={16} />
                  <span className={cn("min-w-0 truncate", err ? "font-medium text-red-700" : "text-slate-800", isMatch && "underline decoration-amber-400 decoration-2")} title={skeleton.names[i]}>
                    {skeleton.names[i]}
                  </span>
                  {err && <span className="shrink-0 rounded bg-red-100 px-1 text-[10px] font-semibold text-red-700">ERR</span>}
                  {hasKids && !isOpen && <span className="shrink-0 text-[10px] text-slate-400">+{index.children[i].length}</span>}
                </div>
                <div className="relative h-full w-[38%] shrink-0 border-l border-slate-100">
                  <div
                    className={cn("absolute top-[8px] h-[10px] rounded-sm", err ? "bg-red-400" : (BAR_COLORS[(type ?? "").toUpperCase()] ?? "bg-slate-400"), end === null && "opacity-50")}
                    style={{ left: `${left}%`, width: `${width}%` }}
                  />
                  <span
                    className="absolute top-[5px] whitespace-nowrap text-[10.5px] tabular-nums text-slate-500"
                    style={left + width > 70 ? { right: `${100 - left + 0.8}%` } : { left: `calc(${left + width}% + 4px)` }}
                  >
                    {dur === null ? "running" : formatDuration(dur)}
                  </span>
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
