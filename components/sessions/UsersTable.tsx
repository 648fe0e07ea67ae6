"use client";
// The Users tab: one row per end user (mlflow.trace.user / user.id) with sessions, traces, tokens, errors
// and first/last seen, aggregated on the server; search and sort in the URL.
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { formatCount } from "@/components/ui/format";
import { IconSearch, IconUser, IconX } from "@/components/ui/Icons";
import { EmptyState, ErrorState } from "@/components/ui/States";
import { DateTime, RelativeTime } from "@/components/ui/Time";
import type { Page } from "@/lib/store/sessions";
import { tracesUrl, userListKey, userTracesFilter, type UserSortKey } from "@/lib/store/sessions-query";
import type { UserSummary } from "@/lib/store/users";
import { formatCost } from "./SessionsTable";
import { useQueryState, userHref } from "./urlState";
import { ListSkeleton, SortableHeaderRow, type SortableColumn } from "./ListTableParts";
import { LoadMoreFooter } from "./LoadMoreFooter";

const COLUMNS: SortableColumn<UserSortKey>[] = [
  { key: "user_id", label: "User" },
  { key: "sessions", label: "Sessions", align: "right" },
  { key: "traces", label: "Traces", align: "right" },
  { key: "tokens", label: "Tokens", align: "right" },
  { key: "cost", label: "Cost", align: "right" },
  { key: "errors", label: "Errors", align: "right" },
  { key: "first_seen", label: "First seen" },
  { key: "last_seen", label: "Last seen" },
];

export function UsersTable({ experimentId, initial, initialKey }: { experimentId: string; initial?: Page<UserSummary> | null; initialKey?: string }) {
  const { params, set } = useQueryState();
  const q = params.get("q") ?? "";
  const sort = (params.get("sort") as UserSortKey | null) ?? "last_seen";
  const dir = params.get("dir") === "asc" ? "asc" : "desc";
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const key = userListKey(params);
  const query = new URLSearchParams(key);

  const list = useInfiniteQuery<Page<UserSummary>>({
    queryKey: ["users", experimentId, key],
    queryFn: ({ pageParam, signal }) => {
      const p = new URLSearchParams(query);
      p.set("size", "50");
      if (pageParam) p.set("page_token", pageParam as string);
      return apiFetch(`/api/ui/experiments/${encodeURIComponent(experimentId)}/users?${p}`, { signal });
    },
    initialPageParam: null,
    getNextPageParam: (last) => last.nextPageToken,
    initialData: initial && initialKey === key ? { pages: [initial], pageParams: [null] } : undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const toggleSort = (k: UserSortKey) => {
    if (k === sort) set({ dir: dir === "desc" ? "asc" : null });
    else set({ sort: k === "last_seen" ? null : k, dir: null });
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <form
        className="flex items-center gap-2 border-b border-slate-200 bg-white px-5 py-2.5"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: text.trim() || null });
        }}
      >
        <label className="relative flex max-w-md flex-1 items-center">
          <IconSearch size={14} className="pointer-events-none absolute left-2.5 text-slate-400" />
          <input aria-label="Search users" value={text} onChange={(e) => setText(e.target.value)} placeholder="Search user IDs…" className="h-8 w-full rounded-md border border-slate-300 bg-white pl-8 pr-2 text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100" />
        </label>
        <Button type="submit" variant="primary">
          Search
        </Button>
        {q && (
          <Button
            variant="ghost"
            onClick={() => {
              setText("");
              set({ q: null });
            }}
          >
            <IconX size={13} /> Clear
          </Button>
        )}
      </form>
      <div className="min-h-0 flex-1 overflow-auto">
        {list.isError ? (
          <ErrorState className="m-5" title="Users could not be loaded" message={errorMessage(list.error)} />
        ) : list.isPending ? (
          <ListSkeleton rowClassName="h-9" />
        ) : rows.length === 0 ? (
          <EmptyState className="m-5" icon={<IconUser size={18} />} title={q ? "No users match" : "No users in this experiment yet"}>
            {q ? (
              "Change the search."
            ) : (
              <>
                Users appear when traces carry the metadata key <code className="font-mono text-xs">mlflow.trace.user</code> (Python{" "}
                <code className="font-mono text-xs">mlflow.update_current_trace(metadata=…)</code>, TypeScript <code className="font-mono text-xs">updateCurrentTrace</code>) or the OpenTelemetry attribute{" "}
                <code className="font-mono text-xs">user.id</code>.
              </>
            )}
          </EmptyState>
        ) : (
          <table className="w-full border-separate border-spacing-0 text-sm" data-testid="users-table">
            <thead className="sticky top-0 z-10 bg-slate-50">
              <SortableHeaderRow columns={COLUMNS} sort={sort} dir={dir} onSort={toggleSort} />
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr key={u.userId} className="group hover:bg-indigo-50/40" data-testid="user-row">
                  <td className="border-b border-slate-100 px-3 py-2">
                    <Link href={userHref(experimentId, u.userId)} className="font-medium text-indigo-700 hover:underline" data-testid="user-link">
                      {u.userId}
                    </Link>
                  </td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right tabular-nums" data-testid="user-sessions">{formatCount(u.sessions)}</td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right tabular-nums" data-testid="user-traces">{formatCount(u.traces)}</td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right tabular-nums text-slate-600">{formatCount(u.totalTokens, true)}</td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right tabular-nums text-slate-600">{formatCost(u.cost)}</td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right tabular-nums">{u.errorTurns > 0 ? <Badge tone="red">{formatCount(u.errorTurns)}</Badge> : <span className="text-slate-400">0</span>}</td>
                  <td className="border-b border-slate-100 px-3 py-2 whitespace-nowrap text-slate-600"><DateTime ms={u.firstSeen} /></td>
                  <td className="border-b border-slate-100 px-3 py-2 whitespace-nowrap text-slate-600"><RelativeTime ms={u.lastSeen} /></td>
                  <td className="border-b border-slate-100 px-3 py-2 text-right whitespace-nowrap">
                    <Link href={tracesUrl(experimentId, userTracesFilter(u.userId))} className="text-xs text-slate-500 opacity-0 hover:text-indigo-700 group-hover:opacity-100 focus:opacity-100">
                      Traces →
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <LoadMoreFooter fetching={list.isFetchingNextPage} hasMore={Boolean(list.hasNextPage)} count={rows.length} noun="user" onMore={() => void list.fetchNextPage()} />
      </div>
    </div>
  );
}
