"use client";
// The traces table's columns, one per registry entry with a `column` (lib/search/fields.ts): each display
// kind has one cell renderer here, so a new column is a registry entry, not an edit of this file.
import Link from "next/link";
import { useMemo, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { columnHelper, type DataTableColumn } from "@/components/ui/DataTable";
import { KeyValuePill, StateBadge } from "@/components/ui/Badge";
import { formatCount, formatDuration, shortId } from "@/components/ui/format";
import { DateTime } from "@/components/ui/Time";
import { formatCost } from "@/components/ui/format";
import { displayPreview } from "@/lib/chat/preview";
import { TRACE_COLUMNS, type DisplayKind, type TraceColumn } from "@/lib/search/fields";
import type { TraceListRow } from "@/lib/store/trace-view";

type Cell = (value: unknown, row: TraceListRow, column: TraceColumn, experimentId: string) => ReactNode;

const stopRowClick = (e: React.MouseEvent) => e.stopPropagation();

const CELLS: Record<DisplayKind, Cell> = {
  traceId: (v, _r, _c, experimentId) => (
    <Link prefetch={false} href={`/experiments/${experimentId}/traces/${String(v)}`} onClick={stopRowClick} className="font-mono text-[12px] text-indigo-700 hover:underline" title={String(v)}>
      {shortId(String(v), 9, 4)}
    </Link>
  ),
  preview: (v, _r, c) => <Preview text={(v as string | null) ?? null} side={c.id === "response" ? "response" : "request"} />,
  text: (v) => <span className="truncate" title={v == null ? undefined : String(v)}>{v == null ? <Muted /> : String(v)}</span>,
  status: (v) => <StateBadge state={String(v)} />,
  timestamp: (v) => <DateTime ms={Number(v)} className="tabular-nums text-slate-600" />,
  duration: (v) => <span className="tabular-nums">{v == null ? <Muted /> : formatDuration(Number(v))}</span>,
  tokens: (v, r) => (
    <span className="tabular-nums" title={r.inputTokens !== null ? `${formatCount(r.inputTokens)} in · ${formatCount(r.outputTokens)} out` : undefined}>
      {v == null ? <Muted /> : formatCount(Number(v))}
    </span>
  ),
  // a trace's cost sums its spans' figures, whatever their source; the span header names each span's source
  cost: (v) => (
    <span className="tabular-nums" title={v == null ? "No cost: no LLM span with a priced model and token usage" : `$${Number(v)} (client-sent, price table or override; see the trace's LLM spans)`}>
      {v == null ? <Muted /> : formatCost(Number(v))}
    </span>
  ),
  count: (v) => <span className="tabular-nums">{v == null ? <Muted /> : formatCount(Number(v))}</span>,
  number: (v) => <span className="tabular-nums">{v == null ? <Muted /> : Number(v).toLocaleString("en-US")}</span>,
  link: (v, _r, c, experimentId) =>
    v ? (
      <Link prefetch={false} href={`/experiments/${experimentId}/${c.link}/${encodeURIComponent(String(v))}`} onClick={stopRowClick} className="block truncate text-indigo-700 hover:underline" title={String(v)}>
        {String(v)}
      </Link>
    ) : (
      <Muted />
    ),
  tags: (v) => {
    const t = userTags((v ?? {}) as Record<string, string>);
    if (!t.length) return <Muted />;
    return (
      <span className="flex min-w-0 gap-1 overflow-hidden">
        {t.slice(0, 2).map(([k, val]) => (
          <KeyValuePill key={k} k={k} v={val} />
        ))}
        {t.length > 2 && <span className="text-[11px] text-slate-500">+{t.length - 2}</span>}
      </span>
    );
  },
};

const col = columnHelper<TraceListRow>();

/** The table's column definitions for an experiment, in the registry's picker order; a column sorts
 *  when its registry entry has an order key. */
export function traceColumns(experimentId: string): DataTableColumn<TraceListRow>[] {
  return TRACE_COLUMNS.map((c) =>
    col.display({
      id: c.id,
      header: c.label,
      enableSorting: Boolean(c.orderKey),
      meta: { width: c.width, align: c.align === "right" ? "right" : undefined },
      cell: ({ row }) => (
        <div className={cn("flex min-w-0 items-center", c.align === "right" && "justify-end")}>
          {CELLS[c.display]((row.original as unknown as Record<string, unknown>)[c.listKey], row.original, c, experimentId)}
        </div>
      ),
    }),
  );
}

export function useTraceColumns(experimentId: string): DataTableColumn<TraceListRow>[] {
  return useMemo(() => traceColumns(experimentId), [experimentId]);
}

function userTags(tags: Record<string, string>): [string, string][] {
  return Object.entries(tags).filter(([k]) => !k.startsWith("mlflow."));
}

function Muted() {
  return <span className="text-slate-300">—</span>;
}

/** A stored preview as the conversation's text (one preview rule: lib/chat/preview.ts), on one line. */
function Preview({ text, side }: { text: string | null; side: "request" | "response" }) {
  if (!text) return <Muted />;
  const one = (displayPreview(text, side) ?? text).replace(/\s+/g, " ").slice(0, 300);
  return (
    <span className="truncate text-slate-700" title={text.length > 2000 ? text.slice(0, 2000) + "…" : text}>
      {one}
    </span>
  );
}
