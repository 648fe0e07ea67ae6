"use client";
// The whole trace view for one trace id: header, span tree with timeline, span details, assessments.
// Used by the full page, the table's side panel and the sessions view. Loads the header and the span
// skeleton (never payloads) up front, then one span's payload per selection.
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiClientError, apiFetch, errorMessage } from "@/components/api";
import { IconButton, SMALL_ICON_BUTTON } from "@/components/ui/Button";
import { cn } from "@/components/ui/cn";
import { IconChevronDown, IconChevronUp, IconX } from "@/components/ui/Icons";
import { SearchInput } from "@/components/ui/SearchInput";
import { EmptyState, ErrorState, Skeleton, Spinner } from "@/components/ui/States";
import type { RawSpanSkeleton, TraceHeader as TraceHeaderData } from "@/lib/store/trace-view";
import { normalizeSkeleton, type SpanSkeleton } from "./skeleton";
import { Assessments } from "./Assessments";
import { SpanDetail } from "./SpanDetail";
import { indexSkeleton, SpanTree, visibleRows } from "./SpanTree";
import { TraceHeader } from "./TraceHeader";

type Tab = "chat" | "io" | "attributes" | "events";

export interface TraceViewProps {
  traceId: string;
  /** selected span (controlled, e.g. from the URL's ?span=) */
  spanId?: string | null;
  onSpanChange?: (spanId: string) => void;
  /** open the assessments column initially (default true); it can always be toggled */
  showAssessments?: boolean;
  className?: string;
  /** the header as rendered on the server, to paint without a round trip */
  initialHeader?: TraceHeaderData;
}

export function useTraceHeader(traceId: string, initial?: TraceHeaderData) {
  return useQuery<TraceHeaderData>({
    queryKey: ["trace", traceId],
    queryFn: ({ signal }) => apiFetch(`/api/ui/traces/${encodeURIComponent(traceId)}`, { signal }),
    initialData: initial && initial.traceId === traceId ? initial : undefined,
  });
}

export function TraceView({ traceId, spanId, onSpanChange, showAssessments = true, className, initialHeader }: TraceViewProps) {
  const header = useTraceHeader(traceId, initialHeader);
  const skeleton = useQuery<SpanSkeleton>({
    queryKey: ["trace-spans", traceId],
    queryFn: async ({ signal }) => normalizeSkeleton(await apiFetch<RawSpanSkeleton>(`/api/ui/traces/${encodeURIComponent(traceId)}/spans`, { signal })),
    staleTime: 30_000,
  });

  if (header.isError) {
    const nf = header.error instanceof ApiClientError && header.error.status === 404;
    return nf ? (
      <EmptyState className={cn("m-4", className)} title="Trace not found">
        Trace <code className="font-mono">{traceId}</code> does not exist or was deleted.
      </EmptyState>
    ) : (
      <ErrorState className={cn("m-4", className)} title="Trace could not be loaded" message={errorMessage(header.error)} />
    );
  }
  return (
    <div className={cn("flex min-h-0 flex-1 flex-col bg-white", className)} data-testid="trace-view">
      {header.data ? (
        <TraceHeader trace={header.data} />
      ) : (
        <div className="space-y-2 border-b border-slate-200 p-4">
          <Skeleton className="h-5 w-72" />
          <Skeleton className="h-8 w-full" />
        </div>
      )}
      {skeleton.isError ? (
        <ErrorState className="m-4" title="Spans could not be loaded" message={errorMessage(skeleton.error)} />
      ) : !skeleton.data ? (
        <div className="flex flex-1 items-center justify-center gap-2 text-sm text-slate-500">
          <Spinner /> Loading spans…
        </div>
      ) : skeleton.data.ids.length === 0 ? (
        <div className="p-4">
          <EmptyState title="No spans yet">
            {header.data?.state === "IN_PROGRESS" ? "The trace is still running; spans appear as they are exported." : "This trace has no span data."}
          </EmptyState>
        </div>
      ) : (
        <TraceBody traceId={traceId} skeleton={skeleton.data} header={header.data} spanId={spanId} onSpanChange={onSpanChange} showAssessments={showAssessments} />
      )}
    </div>
  );
}

function TraceBody({
  traceId,
  skeleton,
  header,
  spanId,
  onSpanChange,
  showAssessments,
}: {
  traceId: string;
  skeleton: SpanSkeleton;
  header: TraceHeaderData | undefined;
  spanId?: string | null;
  onSpanChange?: (id: string) => void;
  showAssessments: boolean;
}) {
  const index = useMemo(() => indexSkeleton(skeleton), [skeleton]);
  const idToIndex = useMemo(() => {
    const m = new Map<string, number>();
    skeleton.ids.forEach((id, i) => m.set(id, i));
    return m;
  }, [skeleton]);
  const [collapsed, setCollapsed] = useState<Set<number>>(() => new Set());
  const rows = useMemo(() => visibleRows(index, collapsed), [index, collapsed]);
  const [localSel, setLocalSel] = useState<number>(index.roots[0] ?? 0);
  const selected = spanId && idToIndex.has(spanId) ? idToIndex.get(spanId)! : localSel;
  const [tab, setTab] = useState<Tab | null>(null);

  const expandTo = useCallback(
    (i: number) => {
      const anc: number[] = [];
      for (let p = skeleton.parents[i], guard = 0; p >= 0 && guard < 10_000; p = skeleton.parents[p], guard++) anc.push(p);
      if (anc.some((a) => collapsed.has(a))) {
        setCollapsed((c) => {
          const n = new Set(c);
          anc.forEach((a) => n.delete(a));
          return n;
        });
      }
    },
    [skeleton, collapsed],
  );
  const select = useCallback(
    (i: number) => {
      expandTo(i);
      setLocalSel(i);
      onSpanChange?.(skeleton.ids[i]);
    },
    [expandTo, onSpanChange, skeleton],
  );
  const toggle = useCallback((i: number, open?: boolean) => {
    setCollapsed((c) => {
      const n = new Set(c);
      const willOpen = open ?? n.has(i);
      if (willOpen) n.delete(i);
      else n.add(i);
      return n;
    });
  }, []);

  // Search: names and types match instantly in the browser; Enter also searches span content on the server.
  const [query, setQuery] = useState("");
  const [contentQuery, setContentQuery] = useState("");
  const content = useQuery<{ spanIds: string[] }>({
    queryKey: ["trace-search", traceId, contentQuery],
    queryFn: ({ signal }) => apiFetch(`/api/ui/traces/${encodeURIComponent(traceId)}/search?q=${encodeURIComponent(contentQuery)}`, { signal }),
    enabled: contentQuery.length > 0,
    staleTime: 60_000,
  });
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return null;
    const set = new Set<number>();
    for (let i = 0; i < skeleton.ids.length; i++) {
      if (skeleton.names[i].toLowerCase().includes(q) || (skeleton.types[i] ?? "UNKNOWN").toLowerCase() === q || skeleton.ids[i] === q) set.add(i);
    }
    if (contentQuery && contentQuery.toLowerCase() === q) for (const id of content.data?.spanIds ?? []) set.add(idToIndex.get(id) ?? -1);
    set.delete(-1);
    return set;
  }, [query, contentQuery, content.data, skeleton, idToIndex]);
  const typeCounts = useMemo(() => {
    const m = new Map<string, number>();
    for (const t of skeleton.types) m.set(t ?? "UNKNOWN", (m.get(t ?? "UNKNOWN") ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  }, [skeleton]);
  const orderedMatches = useMemo(() => (matches ? [...matches].sort((a, b) => a - b) : []), [matches]);
  const matchPos = orderedMatches.indexOf(selected);
  const jump = (d: number) => {
    if (!orderedMatches.length) return;
    const next = matchPos < 0 ? (d > 0 ? orderedMatches.find((m) => m > selected) ?? orderedMatches[0] : orderedMatches[orderedMatches.length - 1]) : orderedMatches[(matchPos + d + orderedMatches.length) % orderedMatches.length];
    select(next);
  };

  useEffect(() => {
    if (spanId && idToIndex.has(spanId)) expandTo(idToIndex.get(spanId)!);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [spanId]);

  const selectedAssessments = header?.assessments ?? [];
  const [assessOpen, setAssessOpen] = useState(showAssessments);
  return (
    <div className="flex min-h-0 flex-1">
      <div className="flex min-h-0 w-[46%] min-w-[340px] flex-col border-r border-slate-200">
        <form
          role="search"
          className="flex items-center gap-1 border-b border-slate-200 px-2 py-1.5"
          onSubmit={(e) => {
            e.preventDefault();
            setContentQuery(query.trim());
            if (orderedMatches.length) jump(1);
          }}
        >
          <SearchInput
            size="sm"
            className="flex-1"
            aria-label="Search spans"
            value={query}
            onValueChange={setQuery}
            placeholder={`Search ${skeleton.ids.length.toLocaleString("en")} spans (Enter searches content)`}
          />
          {typeCounts.length > 1 && (
            <select
              aria-label="Find spans by type"
              value={typeCounts.some(([t]) => t.toLowerCase() === query.trim().toLowerCase()) ? query.trim().toUpperCase() : ""}
              onChange={(e) => {
                setQuery(e.target.value);
                setContentQuery("");
              }}
              className="h-7 max-w-32 rounded-md border border-slate-300 bg-white px-1 text-xs text-slate-700"
            >
              <option value="">All types</option>
              {typeCounts.map(([t, n]) => (
                <option key={t} value={t}>
                  {t} ({n.toLocaleString("en")})
                </option>
              ))}
            </select>
          )}
          {matches && (
            <>
              <span className="min-w-12 text-center text-[11px] tabular-nums text-slate-500" data-testid="span-search-count">
                {content.isFetching ? <Spinner className="h-3 w-3" /> : `${matchPos >= 0 ? matchPos + 1 : "–"}/${orderedMatches.length}`}
              </span>
              <IconButton label="Previous match" onClick={() => jump(-1)} className={SMALL_ICON_BUTTON}>
                <IconChevronUp size={13} />
              </IconButton>
              <IconButton label="Next match" onClick={() => jump(1)} className={SMALL_ICON_BUTTON}>
                <IconChevronDown size={13} />
              </IconButton>
              <IconButton
                label="Clear search"
                onClick={() => {
                  setQuery("");
                  setContentQuery("");
                }}
                className={SMALL_ICON_BUTTON}
              >
                <IconX size={13} />
              </IconButton>
            </>
          )}
        </form>
        <SpanTree skeleton={skeleton} index={index} rows={rows} selected={selected} onSelect={select} collapsed={collapsed} onToggle={toggle} matches={matches} />
      </div>
      <div className="flex min-h-0 min-w-0 flex-1 flex-col">
        <SpanDetail key={skeleton.ids[selected]} traceId={traceId} spanId={skeleton.ids[selected]} tab={tab} onTab={setTab} />
      </div>
      {header && !assessOpen && (
        <button
          type="button"
          onClick={() => setAssessOpen(true)}
          className="flex w-8 shrink-0 flex-col items-center gap-2 border-l border-slate-200 bg-slate-50 py-3 text-[11px] font-medium text-slate-500 hover:bg-slate-100 hover:text-slate-800"
          aria-label="Show assessments"
        >
          <span className="[writing-mode:vertical-rl]">Assessments{header.assessments.length ? ` (${header.assessments.length})` : ""}</span>
        </button>
      )}
      {assessOpen && header && (
        <div className="flex min-h-0 w-64 shrink-0 flex-col border-l border-slate-200 bg-slate-50/50">
          <Assessments traceId={traceId} assessments={selectedAssessments} spanId={skeleton.ids[selected]} spanName={skeleton.names[selected]} onHide={() => setAssessOpen(false)} />
        </div>
      )}
    </div>
  );
}
