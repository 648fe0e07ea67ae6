"use client";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import { apiFetch } from "@/components/api";
import { IconChevronDown, IconChevronUp, IconExternal, IconX } from "@/components/ui/Icons";
import { TraceView } from "./TraceView";
import { useUrlState } from "@/components/useUrlState";

/** The trace view as a side panel over the table; its span and the trace live in the URL. */
export function TraceDrawer({
  traceId,
  experimentId,
  onClose,
  onPrev,
  onNext,
  position,
  neighbors = [],
}: {
  traceId: string;
  experimentId: string;
  onClose: () => void;
  onPrev?: () => void;
  onNext?: () => void;
  position?: string;
  /** trace ids next to this one in the table: their headers (not their spans) are fetched ahead */
  neighbors?: string[];
}) {
  const { params, set } = useUrlState();
  const qc = useQueryClient();
  useEffect(() => {
    for (const id of neighbors) {
      qc.prefetchQuery({ queryKey: ["trace", id], queryFn: ({ signal }) => apiFetch(`/api/ui/traces/${encodeURIComponent(id)}`, { signal }), staleTime: 10_000 });
    }
  }, [neighbors.join(","), qc]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <aside aria-label="Trace" className="flex min-h-0 w-[68%] max-w-[1400px] shrink-0 flex-col border-l border-slate-300 bg-white shadow-[-8px_0_24px_-12px_rgba(15,23,42,0.25)]">
      <div className="flex h-9 shrink-0 items-center gap-1 border-b border-slate-200 bg-slate-50 px-2">
        <button type="button" aria-label="Previous trace" title="Previous trace (k)" disabled={!onPrev} onClick={onPrev} className="rounded p-1 text-slate-500 hover:bg-slate-200 disabled:opacity-30">
          <IconChevronUp size={15} />
        </button>
        <button type="button" aria-label="Next trace" title="Next trace (j)" disabled={!onNext} onClick={onNext} className="rounded p-1 text-slate-500 hover:bg-slate-200 disabled:opacity-30">
          <IconChevronDown size={15} />
        </button>
        {position && <span className="text-xs tabular-nums text-slate-500">{position}</span>}
        <Link prefetch={false} href={`/experiments/${experimentId}/traces/${traceId}`} className="ml-auto inline-flex items-center gap-1 rounded px-2 py-1 text-xs text-slate-600 hover:bg-slate-200">
          <IconExternal size={13} /> Open page
        </Link>
        <button type="button" aria-label="Close trace" title="Close (Esc)" onClick={onClose} className="rounded p-1 text-slate-500 hover:bg-slate-200">
          <IconX size={15} />
        </button>
      </div>
      <TraceView key={traceId} traceId={traceId} spanId={params.get("span")} onSpanChange={(id) => set({ span: id })} showAssessments={false} />
    </aside>
  );
}
