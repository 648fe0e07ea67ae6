"use client";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { Badge, StateBadge } from "@/components/ui/Badge";
import { cn } from "@/components/ui/cn";
import { CopyButton } from "@/components/ui/CopyButton";
import { formatBytes, formatCount, formatDateTime, formatDuration } from "@/components/ui/format";
import { SpanTypeIcon } from "@/components/ui/Icons";
import { JsonViewer } from "@/components/ui/JsonViewer";
import { Markdown } from "@/components/ui/Markdown";
import { ErrorState, Skeleton } from "@/components/ui/States";
import { formatCost } from "@/components/ui/format";
import { spanChat } from "@/lib/chat/spanChat";
import { spanUsageOf, type SpanUsage } from "@/lib/cost/spanUsageOf";
import type { SpanPayload } from "@/lib/store/trace-view";
import { ChatView } from "./ChatView";

type Tab = "chat" | "io" | "attributes" | "events";

/** Span values are JSON text; a value that is not JSON (or was cut) is shown as text. */
function parseValue(text: string | null, complete: boolean): { ok: true; value: unknown } | { ok: false; text: string } | null {
  if (text === null) return null;
  if (!complete) return { ok: false, text };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, text };
  }
}

const FIRST_LIMIT = 1_000_000;

export function SpanDetail({ traceId, spanId, tab, onTab }: { traceId: string; spanId: string; tab: Tab | null; onTab: (t: Tab) => void }) {
  const [limit, setLimit] = useState(FIRST_LIMIT);
  const q = useQuery<SpanPayload>({
    queryKey: ["span", traceId, spanId, limit],
    queryFn: ({ signal }) => apiFetch(`/api/ui/traces/${encodeURIComponent(traceId)}/spans/${spanId}?limit=${limit}`, { signal }),
    staleTime: 60_000,
  });
  const span = q.data;
  const inputs = useMemo(() => (span ? parseValue(span.inputs, span.inputsSize <= (span.inputs?.length ?? 0)) : null), [span]);
  const outputs = useMemo(() => (span ? parseValue(span.outputs, span.outputsSize <= (span.outputs?.length ?? 0)) : null), [span]);
  const chat = useMemo(
    () =>
      span
        ? spanChat({
            spanType: span.spanType,
            inputsText: span.inputs,
            outputsText: span.outputs,
            inputs: inputs?.ok ? inputs.value : undefined,
            outputs: outputs?.ok ? outputs.value : undefined,
            attributes: span.attributes,
            events: span.events,
          })
        : null,
    [span, inputs, outputs],
  );

  if (q.isError) return <ErrorState className="m-4" title="Span could not be loaded" message={errorMessage(q.error)} />;
  if (!span)
    return (
      <div className="space-y-2 p-4" aria-busy>
        <Skeleton className="h-5 w-1/2" />
        <Skeleton className="h-4 w-1/3" />
        <Skeleton className="mt-4 h-40 w-full" />
      </div>
    );

  const exceptions = span.events.filter((e) => e.name === "exception").length;
  const hasIo = span.inputs !== null || span.outputs !== null;
  const tabs: { key: Tab; label: string; badge?: React.ReactNode }[] = [
    ...(chat && chat.length ? [{ key: "chat" as Tab, label: "Chat" }] : []),
    { key: "io", label: "Inputs / Outputs" },
    { key: "attributes", label: "Attributes", badge: <span className="text-slate-400">{Object.keys(span.attributes).length}</span> },
    {
      key: "events",
      label: "Events",
      badge: span.events.length ? (
        <span className={cn("rounded-full px-1.5 text-[10px] font-semibold", exceptions ? "bg-red-100 text-red-700" : "bg-slate-100 text-slate-600")} title={exceptions ? `${exceptions} exception(s)` : undefined}>
          {span.events.length}
        </span>
      ) : undefined,
    },
  ];
  const active: Tab = tab && tabs.some((t) => t.key === tab) ? tab : chat && chat.length ? "chat" : hasIo ? "io" : exceptions ? "events" : "io";
  const durationMs = span.endTimeNs ? Number(BigInt(span.endTimeNs) - BigInt(span.startTimeNs)) / 1e6 : null;

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="span-detail">
      <div className="border-b border-slate-200 px-4 pb-2 pt-3">
        <div className="flex items-center gap-2">
          <SpanTypeIcon type={span.spanType} />
          <h3 className="min-w-0 truncate text-sm font-semibold" title={span.name}>{span.name}</h3>
          <StateBadge state={span.statusCode} />
          {/* MLflow's clients store "UNKNOWN" for a span nobody typed: no badge says nothing wrongly */}
          {span.spanType && span.spanType !== "UNKNOWN" && <Badge>{span.spanType}</Badge>}
        </div>
        <div className="mt-1 flex flex-wrap items-center gap-x-4 gap-y-0.5 text-xs text-slate-500">
          <span>
            Span <span className="font-mono text-slate-700">{span.spanId}</span>
            <CopyButton text={span.spanId} label="Copy span ID" className="p-0.5 align-middle" />
          </span>
          <span>Start {formatDateTime(Number(BigInt(span.startTimeNs) / 1_000_000n))}</span>
          <span>Duration <strong className="font-medium text-slate-700">{durationMs === null ? "running" : formatDuration(durationMs)}</strong></span>
          <UsageFacts usage={spanUsageOf(span.attributes)} />
        </div>
        {span.statusCode === "ERROR" && span.statusMessage && <p className="mt-1.5 rounded border border-red-200 bg-red-50 px-2 py-1 text-xs text-red-700">{span.statusMessage}</p>}
      </div>
      <div role="tablist" aria-label="Span details" className="flex gap-1 border-b border-slate-200 px-3">
        {tabs.map((t) => (
          <button
            key={t.key}
            type="button"
            role="tab"
            aria-selected={active === t.key}
            onClick={() => onTab(t.key)}
            className={cn("-mb-px flex items-center gap-1.5 border-b-2 px-2.5 py-2 text-xs font-medium", active === t.key ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-500 hover:text-slate-800")}
          >
            {t.label}
            {t.badge}
          </button>
        ))}
      </div>
      <div className="scroll-thin min-h-0 flex-1 overflow-auto p-4" role="tabpanel">
        {active === "chat" && chat && <ChatView messages={chat} />}
        {active === "io" && (
          <div className="space-y-4">
            <ValueSection title="Inputs" value={inputs} size={span.inputsSize} onLoadAll={() => setLimit(Math.max(span.inputsSize, span.outputsSize) + 1)} />
            <ValueSection title="Outputs" value={outputs} size={span.outputsSize} onLoadAll={() => setLimit(Math.max(span.inputsSize, span.outputsSize) + 1)} />
          </div>
        )}
        {active === "attributes" && <AttributesTable attributes={span.attributes} />}
        {active === "events" && <EventsList events={span.events} />}
      </div>
    </div>
  );
}

function ValueSection({ title, value, size, onLoadAll }: { title: string; value: ReturnType<typeof parseValue>; size: number; onLoadAll: () => void }) {
  const [raw, setRaw] = useState(false);
  const copyText = value === null ? "" : value.ok ? JSON.stringify(value.value, null, 2) : value.text;
  const truncated = value !== null && !value.ok && size > value.text.length;
  return (
    <section aria-label={title}>
      <div className="mb-1.5 flex items-center gap-2">
        <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h4>
        {size > 0 && <span className="text-[11px] text-slate-400">{formatBytes(size)}</span>}
        {value?.ok && typeof value.value !== "string" && (
          <button type="button" onClick={() => setRaw((r) => !r)} className="ml-auto rounded px-1.5 text-[11px] text-slate-500 hover:bg-slate-100">
            {raw ? "Tree" : "Raw"}
          </button>
        )}
        {value !== null && <CopyButton text={copyText} label={`Copy ${title.toLowerCase()}`} className={value?.ok && typeof value.value !== "string" ? "" : "ml-auto"} />}
      </div>
      <div className="rounded-lg border border-slate-200 bg-white px-3 py-2">
        {value === null ? (
          <span className="text-xs italic text-slate-400">none</span>
        ) : value.ok ? (
          typeof value.value === "string" ? (
            <Markdown text={value.value} />
          ) : raw ? (
            <pre className="whitespace-pre-wrap break-words font-mono text-[12px]">{copyText.length > 2_000_000 ? copyText.slice(0, 2_000_000) + "\n…" : copyText}</pre>
          ) : (
            <JsonViewer value={value.value} />
          )
        ) : (
          <>
            {(truncated || value.text.length > 200_000) && (
              <div className="mb-2 flex items-center gap-2 rounded bg-amber-50 px-2 py-1 text-xs text-amber-800">
                Large value ({formatBytes(size)}): showing the first {formatBytes(Math.min(value.text.length, 200_000))} as text.
                {truncated && (
                  <button type="button" onClick={onLoadAll} className="font-medium underline">
                    Load all and format
                  </button>
                )}
              </div>
            )}
            <pre className="whitespace-pre-wrap break-words font-mono text-[12px] text-slate-800">{value.text.length > 200_000 ? value.text.slice(0, 200_000) + "…" : value.text}</pre>
          </>
        )}
      </div>
    </section>
  );
}

/** Model, tokens and cost of an LLM call; the cost's tooltip says where it came from. */
function UsageFacts({ usage }: { usage: SpanUsage | null }) {
  if (!usage) return null;
  return (
    <>
      {usage.model && <span>Model <strong className="font-medium text-slate-700">{usage.model}</strong></span>}
      {usage.total !== null && (
        <span title={`${formatCount(usage.input)} in${usage.cacheRead ? ` (${formatCount(usage.cacheRead)} cached)` : ""} · ${formatCount(usage.output)} out`}>
          Tokens <strong className="font-medium text-slate-700">{formatCount(usage.total)}</strong>
        </span>
      )}
      {(usage.model || usage.cost !== null) && (
        <span data-testid="span-cost" title={usage.cost === null ? "No price known for this model (add one with --prices or FLOWTRACE_PRICES)" : `$${usage.cost}, ${usage.costSource}`}>
          Cost <strong className="font-medium text-slate-700">{formatCost(usage.cost)}</strong>
        </span>
      )}
    </>
  );
}

function AttributesTable({ attributes }: { attributes: Record<string, unknown> }) {
  const entries = Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return <p className="text-xs italic text-slate-400">No attributes.</p>;
  return (
    <table className="w-full table-fixed text-xs">
      <tbody className="divide-y divide-slate-100">
        {entries.map(([k, v]) => (
          <tr key={k} className="align-top">
            <td className="w-2/5 break-all py-1.5 pr-3 font-mono text-slate-500">{k}</td>
            <td className="py-1.5">
              {v !== null && typeof v === "object" ? <JsonViewer value={v} defaultDepth={1} /> : <span className="whitespace-pre-wrap break-words font-mono text-slate-800">{typeof v === "string" ? v : JSON.stringify(v)}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EventsList({ events }: { events: SpanPayload["events"] }) {
  if (!events.length) return <p className="text-xs italic text-slate-400">No events.</p>;
  return (
    <ol className="space-y-3">
      {events.map((e, i) => {
        const attrs = e.attributes ?? {};
        const isExc = e.name === "exception";
        const t = e.time_unix_nano !== undefined ? Number(BigInt(String(e.time_unix_nano)) / 1_000_000n) : null;
        return (
          <li key={i} className={cn("rounded-lg border px-3 py-2", isExc ? "border-red-200 bg-red-50/60" : "border-slate-200 bg-white")} data-testid={isExc ? "exception-event" : "span-event"}>
            <div className="flex items-center gap-2 text-xs">
              <span className={cn("font-semibold", isExc ? "text-red-700" : "text-slate-800")}>{e.name}</span>
              {t !== null && <span className="text-slate-400">{formatDateTime(t)}</span>}
            </div>
            {isExc ? (
              <div className="mt-1">
                <div className="text-sm text-red-800">
                  <span className="font-mono font-semibold">{String(attrs["exception.type"] ?? "Exception")}</span>
                  {attrs["exception.message"] !== undefined && <span>: {String(attrs["exception.message"])}</span>}
                </div>
                {attrs["exception.stacktrace"] !== undefined && (
                  <pre className="scroll-thin mt-2 max-h-80 overflow-auto rounded bg-slate-900 p-2 font-mono text-[11.5px] leading-snug text-slate-100">{String(attrs["exception.stacktrace"])}</pre>
                )}
              </div>
            ) : (
              Object.keys(attrs).length > 0 && <JsonViewer value={attrs} defaultDepth={1} className="mt-1" />
            )}
          </li>
        );
      })}
    </ol>
  );
}
