"use client";
// The Sessions table: one row per conversation, aggregated on the server (trace_sessions), keyset pages
// loaded as the user scrolls. Search, user, time range, errors and sort live in the URL.
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { formatCount, formatDuration } from "@/components/ui/format";
import { IconMessage, IconSearch, IconX } from "@/components/ui/Icons";
import { EmptyState, ErrorState } from "@/components/ui/States";
import { DateTime, RelativeTime } from "@/components/ui/Time";
import type { Page, SessionListRow } from "@/lib/store/sessions";
import { RANGE_PRESETS, sessionListKey, sessionTracesFilter, tracesUrl, type SessionSortKey } from "@/lib/store/sessions-query";
import { SessionsEmptyHelp } from "./SessionsEmptyHelp";
import { sessionHref, useQueryState, userHref } from "./urlState";
import { ListSkeleton, SortableHeaderRow, type SortableColumn } from "./ListTableParts";
import { LoadMoreFooter } from "./LoadMoreFooter";

const PAGE_SIZE = 50;

const COLUMNS: SortableColumn<SessionSortKey>[] = [
  { key: "session_id", label: "Session", className: "min-w-[18rem]" },
  { key: "users", label: "User" },
  { key: "turns", label: "Turns", align: "right" },
  { key: "first_activity", label: "Started" },
  { key: "last_activity", label: "Last activity" },
  { key: "duration", label: "Duration", align: "right" },
  { key: "tokens", label: "Tokens", align: "right" },
  { key: "cost", label: "Cost", align: "right" },
  { key: "errors", label: "Errors", align: "right" },
];

export function formatCost(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) return "—";
  if (cost === 0) return "$0";
  return cost < 0.01 ? `$${cost.toPrecision(2)}` : `$${cost.toFixed(2)}`;
}

export function SessionsTable({
  experimentId,
  fixedUser,
  initial,
  initialKey,
  hasAnySessions = true,
}: {
  experimentId: string;
  /** the user page: sessions of this user only, without the user filter */
  fixedUser?: string;
  /** the first page as rendered on the server for `initialKey` */
  initial?: Page<SessionListRow> | null;
  initialKey?: string;
  hasAnySessions?: boolean;
}) {
  const { params, set } = useQueryState();
  const q = params.get("q") ?? "";
  const user = fixedUser ?? params.get("user") ?? "";
  const range = params.get("range") ?? "";
  const errors = params.get("errors") ?? "";
  const sort = (params.get("sort") as SessionSortKey | null) ?? "last_activity";
  const dir = params.get("dir") === "asc" ? "asc" : "desc";
  const [searchText, setSearchText] = useState(q);
  const [userText, setUserText] = useState(user);
  useEffect(() => setSearchText(q), [q]);
  useEffect(() => setUserText(user), [user]);

  const key = sessionListKey(params, fixedUser);
  const query = new URLSearchParams(key);

  const list = useInfiniteQuery<Page<SessionListRow>>({
    queryKey: ["sessions", experimentId, key],
    queryFn: ({ pageParam, signal }) => {
      const p = new URLSearchParams(query);
      p.set("size", String(PAGE_SIZE));
      if (pageParam) p.set("page_token", pageParam as string);
      return apiFetch(`/api/ui/experiments/${encodeURIComponent(experimentId)}/sessions?${p}`, { signal });
    },
    initialPageParam: null,
    getNextPageParam: (last) => last.nextPageToken,
    initialData: initial && initialKey === key ? { pages: [initial], pageParams: [null] } : undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];


  const filtered = Boolean(q || (!fixedUser && user) || range || errors);
  const toggleSort = (k: SessionSortKey) => {
    if (k === sort) set({ dir: dir === "desc" ? "asc" : null });
    else set({ sort: k === "last_activity" ? null : k, dir: null });
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <form
        className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-5 py-2.5"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: searchText.trim() || null, ...(fixedUser ? {} : { user: userText.trim() || null }) });
        }}
      >
        <label className="relative flex min-w-[16rem] flex-1 items-center">
          <IconSearch size={14} className="pointer-events-none absolute left-2.5 text-slate-400" />
          <input
            aria-label="Search sessions"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
            placeholder="Search by session ID or message text…"
            className="h-8 w-full rounded-md border border-slate-300 bg-white pl-8 pr-2 text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100"
          />
        </label>
        {!fixedUser && (
          <input
            aria-label="Filter by user"
            value={userText}
            onChange={(e) => setUserText(e.target.value)}
            onBlur={() => userText.trim() !== user && set({ user: userText.trim() || null })}
            placeholder="User ID"
            className="h-8 w-40 rounded-md border border-slate-300 bg-white px-2 text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100"
          />
        )}
        <select aria-label="Time range" value={range} onChange={(e) => set({ range: e.target.value || null })} className="h-8 rounded-md border border-slate-300 bg-white px-2 text-sm">
          <option value="">All time</option>
          {Object.keys(RANGE_PRESETS).map((r) => (
            <option key={r} value={r}>
              Last {r}
            </option>
          ))}
        </select>
        <select aria-label="Errors" value={errors} onChange={(e) => set({ errors: e.target.value || null })} className="h-8 rounded-md border border-slate-300 bg-white px-2 text-sm">
          <option value="">Any outcome</option>
          <option value="1">With errors</option>
          <option value="0">Without errors</option>
        </select>
        <Button type="submit" size="md" variant="primary">
          Search
        </Button>
        {filtered && (
          <Button
            variant="ghost"
            onClick={() => {
              setSearchText("");
              setUserText(fixedUser ?? "");
              set({ q: null, range: null, errors: null, ...(fixedUser ? {} : { user: null }) });
            }}
          >
            <IconX size={13} /> Clear
          </Button>
        )}
      </form>

      <div className="min-h-0 flex-1 overflow-auto">
        {list.isError ? (
          <ErrorState className="m-5" title="Sessions could not be loaded" message={errorMessage(list.error)} />
        ) : list.isPending ? (
          <ListSkeleton rowClassName="h-10" />
        ) : rows.length === 0 ? (
          filtered || fixedUser || hasAnySessions ? (
            <EmptyState className="m-5" icon={<IconMessage size={18} />} title={fixedUser ? "This user has no sessions" : "No sessions match"}>
              {fixedUser ? "Their traces carry no session ID." : "Change the search or the filters."}
            </EmptyState>
          ) : (
            <SessionsEmptyHelp experimentId={experimentId} />
          )
        ) : (
          <table className="w-full border-separate border-spacing-0 text-sm" data-testid="sessions-table">
            <thead className="sticky top-0 z-10 bg-slate-50">
              <SortableHeaderRow columns={COLUMNS.filter((c) => !(fixedUser && c.key === "users"))} sort={sort} dir={dir} onSort={toggleSort} />
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.sessionId} className="group hover:bg-indigo-50/40" data-testid="session-row">
                  <td className="max-w-[28rem] border-b border-slate-100 px-3 py-2 align-top">
                    <Link href={sessionHref(experimentId, s.sessionId)} className="font-mono text-[12.5px] font-medium text-indigo-700 hover:underline" data-testid="session-link">
                      {s.sessionId}
                    </Link>
                    {s.firstMessage && <p className="mt-0.5 truncate text-xs text-slate-500" title={s.firstMessage}>{s.firstMessage}</p>}
                  </td>
                  {!fixedUser && (
                    <td className="border-b border-slate-100 px-3 py-2 align-top">
                      <div className="flex flex-wrap gap-1">
                        {s.users.length === 0 && <span className="text-slate-400">—</span>}
                        {s.users.slice(0, 3).map((u) => (
                          <Link key={u} href={userHref(experimentId, u)} className="truncate text-[12.5px] text-slate-700 hover:text-indigo-700 hover:underline">
                            {u}
                          </Link>
                        ))}
                        {s.users.length > 3 && <Badge>+{s.users.length - 3}</Badge>}
                      </div>
                    </td>
                  )}
                  <td className="border-b border-slate-100 px-3 py-2 text-right align-top tabular-nums" data-testid="session-turns">
                    {formatCount(s.turns)}
                  </td>
                  <td className="border-b border-slate-100 px-3 py-2 align-top whitespace-nowrap text-slate-600">
                    <DateTime ms={s.firstActivity} />
                  </td>
                  <td className="border-b border-slate-100 px-3 py-2 align-top whitespace-nowrap text-slate-600">
                    <RelativeTime ms={s.lastActivity} />
                  </td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right align-top tabular-nums text-slate-600">{formatDuration(s.totalDuration)}</td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right align-top tabular-nums text-slate-600" data-testid="session-tokens">
                    {formatCount(s.totalTokens, true)}
                  </td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right align-top tabular-nums text-slate-600">{formatCost(s.cost)}</td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right align-top tabular-nums" data-testid="session-errors">
                    {s.errorTurns > 0 ? <Badge tone="red">{formatCount(s.errorTurns)}</Badge> : <span className="text-slate-400">0</span>}
                  </td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right align-top whitespace-nowrap">
                    <Link href={tracesUrl(experimentId, sessionTracesFilter(s.sessionId))} className="text-xs text-slate-500 opacity-0 hover:text-indigo-700 group-hover:opacity-100 focus:opacity-100">
                      Traces →
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <LoadMoreFooter fetching={list.isFetchingNextPage} hasMore={Boolean(list.hasNextPage)} count={rows.length} noun="session" onMore={() => void list.fetchNextPage()} />
      </div>
    </div>
  );
}
