"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { KeyValuePill, StateBadge } from "@/components/ui/Badge";
import { CopyButton } from "@/components/ui/CopyButton";
import { formatCount, formatDuration } from "@/components/ui/format";
import { DateTime } from "@/components/ui/Time";
import { formatCost } from "@/components/ui/format";
import { IconChevronDown, IconChevronRight, IconPlus } from "@/components/ui/Icons";
import type { TraceHeader as TraceHeaderData } from "@/lib/store/trace-view";

// Keys the header already shows elsewhere, or that only clients care about.
const HIDDEN_METADATA = new Set(["mlflow.traceInputs", "mlflow.traceOutputs", "mlflow.trace.tokenUsage", "mlflow.trace.session", "mlflow.trace.user", "mlflow.trace_schema.version", "mlflow.trace.sizeStats"]);

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <div className="text-[10.5px] font-medium uppercase tracking-wide text-slate-400">{label}</div>
      <div className="truncate text-[13px] text-slate-800">{children}</div>
    </div>
  );
}

export function TraceHeader({ trace }: { trace: TraceHeaderData }) {
  const [showMeta, setShowMeta] = useState(false);
  const meta = Object.entries(trace.metadata).filter(([k]) => !HIDDEN_METADATA.has(k));
  const base = `/experiments/${trace.experimentId}`;
  return (
    <div className="border-b border-slate-200 bg-white px-4 py-3" data-testid="trace-header">
      <div className="flex min-w-0 items-center gap-2">
        <h2 className="min-w-0 truncate text-[15px] font-semibold" title={trace.name ?? trace.traceId}>{trace.name ?? "Trace"}</h2>
        <StateBadge state={trace.state} />
        <span className="flex min-w-0 items-center font-mono text-xs text-slate-500">
          <span className="truncate">{trace.traceId}</span>
          <CopyButton text={trace.traceId} label="Copy trace ID" className="p-0.5" />
        </span>
      </div>
      <div className="mt-2 grid grid-cols-3 gap-x-4 gap-y-2 sm:grid-cols-4 xl:grid-cols-7">
        <Fact label="Request time"><DateTime ms={trace.requestTime} /></Fact>
        <Fact label="Duration">{trace.executionDuration === null ? "in progress" : formatDuration(trace.executionDuration)}</Fact>
        <Fact label="Tokens">
          <span title={trace.inputTokens !== null ? `${formatCount(trace.inputTokens)} in · ${formatCount(trace.outputTokens)} out` : undefined}>
            {trace.totalTokens === null ? "—" : formatCount(trace.totalTokens)}
            {trace.inputTokens !== null && <span className="ml-1 text-xs text-slate-400">({formatCount(trace.inputTokens)} → {formatCount(trace.outputTokens)})</span>}
          </span>
        </Fact>
        <Fact label="Cost">
          <span data-testid="trace-cost" title={trace.cost === null ? "No cost: no LLM span with a priced model and token usage" : `$${trace.cost}: the client's trace cost, else the sum of the LLM spans' costs (each span's header says where its cost came from)`}>
            {formatCost(trace.cost)}
          </span>
        </Fact>
        <Fact label="Spans">
          {formatCount(trace.spanCount)}
          {trace.errorCount > 0 && <span className="ml-1 text-xs text-red-600">{trace.errorCount} failed</span>}
        </Fact>
        <Fact label="Session">
          {trace.sessionId ? (
            <Link prefetch={false} className="text-indigo-700 hover:underline" href={`${base}/sessions/${encodeURIComponent(trace.sessionId)}`} title={trace.sessionId}>{trace.sessionId}</Link>
          ) : (
            <span className="text-slate-300">—</span>
          )}
        </Fact>
        <Fact label="User">
          {trace.userId ? (
            <Link prefetch={false} className="text-indigo-700 hover:underline" href={`${base}/users/${encodeURIComponent(trace.userId)}`} title={trace.userId}>{trace.userId}</Link>
          ) : (
            <span className="text-slate-300">—</span>
          )}
        </Fact>
      </div>
      <TagEditor traceId={trace.traceId} tags={trace.tags} />
      {meta.length > 0 && (
        <div className="mt-1.5">
          <button type="button" onClick={() => setShowMeta((s) => !s)} className="flex items-center gap-1 text-xs text-slate-500 hover:text-slate-800">
            {showMeta ? <IconChevronDown size={12} /> : <IconChevronRight size={12} />} Metadata ({meta.length})
          </button>
          {showMeta && (
            <div className="mt-1 flex flex-wrap gap-1">
              {meta.map(([k, v]) => (
                <KeyValuePill key={k} k={k} v={v} />
              ))}
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/** User tags with add and remove, through the MLflow tag endpoints. mlflow.* tags are system-owned. */
function TagEditor({ traceId, tags }: { traceId: string; tags: Record<string, string> }) {
  const qc = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const path = `/ajax-api/2.0/mlflow/traces/${encodeURIComponent(traceId)}/tags`;
  const refresh = () => {
    qc.invalidateQueries({ queryKey: ["trace", traceId] });
    qc.invalidateQueries({ queryKey: ["traces"] });
  };
  const add = useMutation({
    mutationFn: () => apiFetch(path, { method: "PATCH", body: { key: key.trim(), value } }),
    onSuccess: () => {
      setAdding(false);
      setKey("");
      setValue("");
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (k: string) => apiFetch(path, { method: "DELETE", body: { key: k } }), onSuccess: refresh });
  const user = Object.entries(tags).filter(([k]) => !k.startsWith("mlflow."));
  return (
    <div className="mt-2 flex flex-wrap items-center gap-1" data-testid="trace-tags">
      <span className="mr-1 text-[10.5px] font-medium uppercase tracking-wide text-slate-400">Tags</span>
      {user.map(([k, v]) => (
        <KeyValuePill key={k} k={k} v={v} onRemove={() => remove.mutate(k)} />
      ))}
      {adding ? (
        <form
          className="flex items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            if (key.trim()) add.mutate();
          }}
        >
          <input autoFocus aria-label="Tag key" placeholder="key" value={key} onChange={(e) => setKey(e.target.value)} className="h-6 w-28 rounded border border-slate-300 px-1.5 text-xs" />
          <input aria-label="Tag value" placeholder="value" value={value} onChange={(e) => setValue(e.target.value)} className="h-6 w-32 rounded border border-slate-300 px-1.5 text-xs" />
          <button type="submit" disabled={!key.trim() || add.isPending} className="h-6 rounded bg-indigo-600 px-2 text-xs font-medium text-white disabled:opacity-50">
            Save
          </button>
          <button type="button" onClick={() => setAdding(false)} className="h-6 rounded px-1.5 text-xs text-slate-500 hover:bg-slate-100">
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setAdding(true)} className="inline-flex h-5 items-center gap-0.5 rounded border border-dashed border-slate-300 px-1.5 text-[11px] text-slate-500 hover:border-slate-400 hover:text-slate-800">
          <IconPlus size={11} /> Add tag
        </button>
      )}
      {(add.isError || remove.isError) && <span role="alert" className="text-xs text-red-600">{errorMessage(add.error ?? remove.error)}</span>}
    </div>
  );
}
