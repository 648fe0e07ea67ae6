"use client";
import { toggled } from "@/components/toggled";
// One conversation as a chat transcript: each turn (trace) shows what the user said, the tools called and
// the answer, with its latency, tokens and state. Turns load in keyset pages as the user scrolls and are
// virtualized, so a 10,000-turn session scrolls like a 10-turn one. A turn expands into its trace view.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { Badge, StateBadge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { CopyButton } from "@/components/ui/CopyButton";
import { cn } from "@/components/ui/cn";
import { formatCount, formatDuration } from "@/components/ui/format";
import { IconAlert, IconChevronDown, IconChevronRight, IconExternal } from "@/components/ui/Icons";
import { Markdown } from "@/components/ui/Markdown";
import { ErrorState, Skeleton, Spinner } from "@/components/ui/States";
import { DateTime } from "@/components/ui/Time";
import type { Page, SessionFeedback, SessionListRow, SessionTurn } from "@/lib/store/sessions";
import { sessionTracesFilter, tracesUrl } from "@/lib/store/sessions-query";
import { SessionFeedbackPanel } from "./SessionFeedbackPanel";
import { SessionSummaryPanel } from "./SessionSummaryPanel";
import { TurnTrace } from "./TurnTrace";
import { traceHref } from "./urlState";

export const TURN_PAGE_SIZE = 50;
// After the first screenful, bigger pages: scrolling through thousands of turns needs fewer round trips.
export const NEXT_TURN_PAGE_SIZE = 200;

export interface SessionDetail {
  session: SessionListRow;
  feedback: SessionFeedback[];
}

export function SessionView({ experimentId, sessionId, initialDetail, initialTurns }: { experimentId: string; sessionId: string; initialDetail?: SessionDetail; initialTurns?: Page<SessionTurn> }) {
  const base = `/api/ui/experiments/${encodeURIComponent(experimentId)}/sessions/${encodeURIComponent(sessionId)}`;
  const detail = useQuery<SessionDetail>({
    queryKey: ["session", experimentId, sessionId],
    queryFn: ({ signal }) => apiFetch(base, { signal }),
    initialData: initialDetail,
  });
  const turns = useInfiniteQuery<Page<SessionTurn>>({
    queryKey: ["session-turns", experimentId, sessionId],
    queryFn: ({ pageParam, signal }) =>
      apiFetch(`${base}/turns?${pageParam ? `size=${NEXT_TURN_PAGE_SIZE}&page_token=${encodeURIComponent(pageParam as string)}` : `size=${TURN_PAGE_SIZE}`}`, { signal }),
    initialPageParam: null,
    getNextPageParam: (last) => last.nextPageToken,
    initialData: initialTurns ? { pages: [initialTurns], pageParams: [null] } : undefined,
    staleTime: 60_000,
  });
  const items = turns.data?.pages.flatMap((p) => p.items) ?? [];
  const total = detail.data?.session.turns ?? items.length;

  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const toggle = (traceId: string) => setExpanded((prev) => toggled(prev, traceId));

  const scrollRef = useRef<HTMLDivElement>(null);
  // rows: the loaded turns, then one placeholder row while more exist
  const rowCount = items.length + (turns.hasNextPage ? 1 : 0);
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (i < items.length && expanded.has(items[i].traceId) ? 900 : 240),
    overscan: 4,
    getItemKey: (i) => (i < items.length ? items[i].traceId : "loader"),
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows.length ? virtualRows[virtualRows.length - 1].index : -1;
  useEffect(() => {
    if (lastIndex >= items.length - 5 && turns.hasNextPage && !turns.isFetchingNextPage) void turns.fetchNextPage();
  }, [lastIndex, items.length, turns]);

  if (detail.isError) {
    return <ErrorState className="m-5" title="Session could not be loaded" message={errorMessage(detail.error)} />;
  }

  return (
    <div className="flex min-h-0 flex-1">
      <div className="flex min-w-0 flex-1 flex-col">
        <div className="flex shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-5 py-2.5">
          <Link href={`/experiments/${encodeURIComponent(experimentId)}/sessions`} className="text-xs text-slate-500 hover:text-slate-800">
            ← Sessions
          </Link>
          <h2 className="flex min-w-0 items-center gap-1 font-mono text-sm font-semibold text-slate-900" data-testid="session-title">
            <span className="truncate" title={sessionId}>
              {sessionId}
            </span>
            <CopyButton text={sessionId} label="Copy session ID" />
          </h2>
          <span className="text-xs text-slate-500">
            {formatCount(total)} turn{total === 1 ? "" : "s"}
          </span>
          <div className="ml-auto flex items-center gap-2">
            <Button size="sm" variant="ghost" onClick={() => virtualizer.scrollToIndex(0)} disabled={!items.length}>
              First turn
            </Button>
            <Link href={tracesUrl(experimentId, sessionTracesFilter(sessionId))} className="inline-flex h-7 items-center gap-1 rounded-md border border-slate-300 bg-white px-2.5 text-xs font-medium text-slate-700 shadow-sm hover:bg-slate-50" data-testid="session-traces-link">
              View traces <IconExternal size={12} />
            </Link>
          </div>
        </div>
        <div ref={scrollRef} className="min-h-0 flex-1 overflow-auto bg-slate-50" data-testid="transcript">
          {turns.isError ? (
            <ErrorState className="m-5" title="Turns could not be loaded" message={errorMessage(turns.error)} />
          ) : turns.isPending ? (
            <div className="mx-auto max-w-3xl space-y-4 p-6">
              {Array.from({ length: 4 }, (_, i) => (
                <Skeleton key={i} className="h-36 w-full" />
              ))}
            </div>
          ) : (
            <div className="relative mx-auto w-full max-w-4xl" style={{ height: virtualizer.getTotalSize() }}>
              {virtualRows.map((v) => (
                <div key={v.key} data-index={v.index} ref={virtualizer.measureElement} className="absolute left-0 top-0 w-full px-6" style={{ transform: `translateY(${v.start}px)` }}>
                  {v.index < items.length ? (
                    <TurnCard experimentId={experimentId} turn={items[v.index]} expanded={expanded.has(items[v.index].traceId)} onToggle={() => toggle(items[v.index].traceId)} />
                  ) : (
                    <div className="flex h-24 items-center justify-center gap-2 text-sm text-slate-500">
                      <Spinner /> Loading turns…
                    </div>
                  )}
                </div>
              ))}
            </div>
          )}
        </div>
      </div>
      <aside className="hidden w-80 shrink-0 overflow-auto border-l border-slate-200 bg-white lg:block" data-testid="session-sidebar">
        {detail.data ? (
          <>
            <SessionSummaryPanel experimentId={experimentId} session={detail.data.session} />
            <SessionFeedbackPanel experimentId={experimentId} session={detail.data.session} feedback={detail.data.feedback} />
          </>
        ) : (
          <div className="space-y-3 p-4">
            <Skeleton className="h-5 w-40" />
            <Skeleton className="h-32 w-full" />
          </div>
        )}
      </aside>
    </div>
  );
}

function TurnCard({ experimentId, turn, expanded, onToggle }: { experimentId: string; turn: SessionTurn; expanded: boolean; onToggle: () => void }) {
  const failed = turn.state === "ERROR";
  const { user, assistant, toolCalls } = turn.turn;
  return (
    <article className={cn("my-3 rounded-xl border bg-white shadow-sm", failed ? "border-red-300 ring-1 ring-red-100" : "border-slate-200")} data-testid="turn" data-trace-id={turn.traceId}>
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-100 px-4 py-2 text-xs text-slate-500">
        <span className="font-semibold text-slate-700">Turn {formatCount(turn.index)}</span>
        <DateTime ms={turn.requestTime} />
        <span title="Latency">{formatDuration(turn.executionDuration)}</span>
        {turn.totalTokens !== null && (
          <span title={`${formatCount(turn.inputTokens)} in / ${formatCount(turn.outputTokens)} out`}>{formatCount(turn.totalTokens)} tokens</span>
        )}
        {turn.userId && <span className="truncate">by {turn.userId}</span>}
        <StateBadge state={turn.state} />
        {turn.errorCount > 0 && !failed && (
          <Badge tone="amber" title="Spans that failed inside this turn">
            {turn.errorCount} span error{turn.errorCount === 1 ? "" : "s"}
          </Badge>
        )}
        <div className="ml-auto flex items-center gap-1">
          <button type="button" onClick={onToggle} aria-expanded={expanded} className="inline-flex items-center gap-1 rounded px-1.5 py-0.5 font-medium text-indigo-700 hover:bg-indigo-50" data-testid="turn-expand">
            {expanded ? <IconChevronDown size={13} /> : <IconChevronRight size={13} />}
            {expanded ? "Hide trace" : "Show trace"}
          </button>
          <Link href={traceHref(experimentId, turn.traceId)} className="rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700" title="Open the trace page" aria-label="Open the trace page">
            <IconExternal size={13} />
          </Link>
        </div>
      </header>
      <div className="space-y-3 px-4 py-3">
        {user !== null ? (
          <div className="flex justify-end">
            <div className="max-w-[85%] rounded-2xl rounded-tr-sm bg-indigo-600 px-3.5 py-2 text-sm text-white" data-testid="turn-user">
              <p className="whitespace-pre-wrap break-words">{clipText(user)}</p>
            </div>
          </div>
        ) : (
          <p className="text-right text-xs italic text-slate-400">No user message found in this trace</p>
        )}
        {toolCalls.length > 0 && (
          <ul className="flex flex-col gap-1" aria-label="Tool calls">
            {toolCalls.map((c, i) => (
              <li key={i} className={cn("flex min-w-0 items-center gap-2 rounded-md border px-2 py-1 font-mono text-[11.5px]", c.error ? "border-red-200 bg-red-50 text-red-800" : "border-slate-200 bg-slate-50 text-slate-700")} data-testid="turn-tool">
                <span className="shrink-0 font-semibold">{c.name}</span>
                <span className="min-w-0 truncate text-slate-500" title={c.arguments}>
                  ({c.arguments})
                </span>
                {c.error ? (
                  <span className="ml-auto flex shrink-0 items-center gap-1 text-red-700" title={c.error}>
                    <IconAlert size={12} /> {c.error.length > 60 ? c.error.slice(0, 59) + "…" : c.error}
                  </span>
                ) : c.result !== undefined ? (
                  <span className="ml-auto min-w-0 max-w-[45%] shrink truncate text-slate-500" title={c.result}>
                    → {c.result}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {assistant !== null ? (
          <div className="flex">
            <div className="max-w-[85%] rounded-2xl rounded-tl-sm border border-slate-200 bg-slate-50 px-3.5 py-2 text-sm text-slate-800" data-testid="turn-assistant">
              <Markdown text={clipText(assistant)} />
            </div>
          </div>
        ) : failed ? null : (
          <p className="text-xs italic text-slate-400">No answer found in this trace</p>
        )}
        {failed && (
          <div className="flex items-start gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-800" data-testid="turn-error">
            <IconAlert size={14} className="mt-px shrink-0" />
            <span className="break-words">{turn.errorMessage ?? "This turn failed."}</span>
          </div>
        )}
      </div>
      {expanded && (
        <div className="border-t border-slate-200">
          <TurnTrace traceId={turn.traceId} />
        </div>
      )}
    </article>
  );
}

// Very long messages (pasted documents) would make one turn taller than the screen; the trace view has all.
const MAX_CHARS = 4000;
function clipText(s: string): string {
  return s.length > MAX_CHARS ? s.slice(0, MAX_CHARS) + "\n\n… (shortened; expand the trace for the full text)" : s;
}
