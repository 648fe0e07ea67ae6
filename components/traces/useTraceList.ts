"use client";
// The traces table's data: the page of rows and the total for the URL's filter, order, range and page
// (the server-rendered first page reused for exactly the query it was made for), and live updates by
// polling the cheap "written since" probe.
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import type { TraceListRow } from "@/lib/store/trace-view";

export interface TracePage {
  rows: TraceListRow[];
  nextPageToken: string | null;
}

export const DEFAULT_ORDER = "timestamp_ms DESC";
const POLL_MS = 4000;

export interface TraceListInitial {
  hasTraces: boolean;
  initial: TracePage | null;
  initialError: { code: string; message: string } | null;
  initialLatest: number;
  initialNow: number;
}

export function useTraceList(experimentId: string, q: { filter: string; order: string; range: string; pageToken: string; size: number }, props: TraceListInitial) {
  const { filter, order, range, pageToken, size } = q;
  const qc = useQueryClient();

  // The server rendered the first page for the URL the browser loaded; reuse it only for exactly that query.
  const initialKey = useRef(JSON.stringify([filter, order, range, pageToken, size])).current;
  const isInitialQuery = JSON.stringify([filter, order, range, pageToken, size]) === initialKey;
  // a time range is relative to "now", pinned so that paging does not slide the window
  const [rangeNow, setRangeNow] = useState(props.initialNow);

  const qs = useMemo(() => {
    const p = new URLSearchParams();
    if (filter) p.set("filter", filter);
    if (order !== DEFAULT_ORDER) p.set("order", order);
    if (range) {
      p.set("range", range);
      p.set("now", String(rangeNow));
    }
    if (pageToken) p.set("page_token", pageToken);
    p.set("size", String(size));
    return p.toString();
  }, [filter, order, range, rangeNow, pageToken, size]);

  const list = useQuery<TracePage>({
    queryKey: ["traces", experimentId, qs],
    queryFn: ({ signal }) => apiFetch<TracePage>(`/api/ui/experiments/${experimentId}/traces?${qs}`, { signal }),
    initialData: isInitialQuery && props.initial ? props.initial : undefined,
    enabled: !(isInitialQuery && props.initialError),
    placeholderData: keepPreviousData,
  });
  const countQs = useMemo(() => {
    const p = new URLSearchParams();
    if (filter) p.set("filter", filter);
    if (range) {
      p.set("range", range);
      p.set("now", String(rangeNow));
    }
    return p.toString();
  }, [filter, range, rangeNow]);
  const count = useQuery<{ count: number }>({
    queryKey: ["traces-count", experimentId, countQs],
    queryFn: ({ signal }) => apiFetch(`/api/ui/experiments/${experimentId}/traces/count?${countQs}`, { signal }),
    enabled: !(isInitialQuery && props.initialError) && !list.isError,
    placeholderData: keepPreviousData,
  });

  // The first trace of an empty experiment: refresh the server-rendered header (its "Send traces" button).
  const router = useRouter();
  const refreshedHeader = useRef(props.hasTraces);
  useEffect(() => {
    if (!refreshedHeader.current && (list.data?.rows.length ?? 0) > 0) {
      refreshedHeader.current = true;
      router.refresh();
    }
  }, [list.data, router]);

  const listError = list.error ? errorMessage(list.error) : isInitialQuery && props.initialError ? props.initialError.message : null;
  const rows = useMemo(() => list.data?.rows ?? [], [list.data]);

  const refresh = useCallback(() => {
    qc.invalidateQueries({ queryKey: ["traces", experimentId] });
    qc.invalidateQueries({ queryKey: ["traces-count", experimentId] });
  }, [qc, experimentId]);

  // Live updates: poll the cheap "written since" probe; on the first page refresh in place (selection and
  // focus are keyed by trace id, so nothing jumps), elsewhere offer a jump to the newest.
  const [since, setSince] = useState(props.initialLatest);
  const [newCount, setNewCount] = useState(0);
  const changes = useQuery<{ changed: number; latest: number | null }>({
    queryKey: ["traces-changes", experimentId, since],
    queryFn: ({ signal }) => apiFetch(`/api/ui/experiments/${experimentId}/traces/changes?since=${since}`, { signal }),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
  useEffect(() => {
    const d = changes.data;
    if (!d || d.changed === 0 || d.latest === null) return;
    if (!pageToken) {
      setSince(d.latest);
      setNewCount(0);
      if (range) setRangeNow(Date.now());
      refresh();
    } else {
      setNewCount(d.changed);
    }
  }, [changes.data, pageToken, range, refresh]);
  /** the caller goes to the first page; the newest seen so far is the new baseline */
  const acknowledgeNew = () => {
    setNewCount(0);
    setSince(changes.data?.latest ?? since);
  };

  return {
    list,
    count,
    rows,
    listError,
    newCount,
    acknowledgeNew,
    /** re-read the page and the count (a range moves up to now) */
    reload: () => {
      setRangeNow(Date.now());
      refresh();
    },
    /** after a change of range: the window ends now */
    restartRange: () => setRangeNow(Date.now()),
    /** after traces were tagged or deleted */
    refresh,
  };
}
