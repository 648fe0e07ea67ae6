"use client";
// The Users tab: one row per end user (mlflow.trace.user / user.id) with sessions, traces, tokens, errors
// and first/last seen, aggregated on the server; search and sort in the URL.
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { Button } from "@/components/ui/Button";
import { columnHelper } from "@/components/ui/DataTable";
import { formatCost, formatCount } from "@/components/ui/format";
import { IconSearch, IconUser, IconX } from "@/components/ui/Icons";
import { EmptyState } from "@/components/ui/States";
import { DateTime, RelativeTime } from "@/components/ui/Time";
import type { Page } from "@/lib/store/sessions";
import { tracesUrl, userListKey, userTracesFilter, type UserSortKey } from "@/lib/store/sessions-query";
import type { UserSummary } from "@/lib/store/users";
import { errorsColumn, KeysetTable, tracesLinkColumn, useKeysetList } from "./KeysetTable";
import { useUrlState } from "@/components/useUrlState";
import { sortParam, userHref } from "./urlState";

const col = columnHelper<UserSummary>();
const userColumns = (experimentId: string) => [
  col.display({
    id: "user_id",
    header: "User",
    cell: ({ row: { original: u } }) => (
      <Link href={userHref(experimentId, u.userId)} className="font-medium text-indigo-700 hover:underline" data-testid="user-link">
        {u.userId}
      </Link>
    ),
  }),
  col.display({ id: "sessions", header: "Sessions", meta: { align: "right", cellTestId: "user-sessions" }, cell: ({ row }) => formatCount(row.original.sessions) }),
  col.display({ id: "traces", header: "Traces", meta: { align: "right", cellTestId: "user-traces" }, cell: ({ row }) => formatCount(row.original.traces) }),
  col.display({ id: "tokens", header: "Tokens", meta: { align: "right", cellClassName: "text-slate-600" }, cell: ({ row }) => formatCount(row.original.totalTokens, true) }),
  col.display({ id: "cost", header: "Cost", meta: { align: "right", cellClassName: "text-slate-600" }, cell: ({ row }) => formatCost(row.original.cost) }),
  errorsColumn<UserSummary>((u) => u.errorTurns),
  col.display({ id: "first_seen", header: "First seen", meta: { cellClassName: "whitespace-nowrap text-slate-600" }, cell: ({ row }) => <DateTime ms={row.original.firstSeen} /> }),
  col.display({ id: "last_seen", header: "Last seen", meta: { cellClassName: "whitespace-nowrap text-slate-600" }, cell: ({ row }) => <RelativeTime ms={row.original.lastSeen} /> }),
  tracesLinkColumn<UserSummary>((u) => tracesUrl(experimentId, userTracesFilter(u.userId))),
];

export function UsersTable({ experimentId, initial, initialKey }: { experimentId: string; initial?: Page<UserSummary> | null; initialKey?: string }) {
  const { params, set } = useUrlState();
  const q = params.get("q") ?? "";
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const key = userListKey(params);
  const list = useKeysetList<UserSummary>("users", experimentId, key, { page: initial, key: initialKey });
  const { sort, toggle } = sortParam<UserSortKey>(params, set, "last_seen");
  const columns = useMemo(() => userColumns(experimentId), [experimentId]);

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
      <KeysetTable
        list={list}
        noun="user"
        errorTitle="Users could not be loaded"
        skeletonRowClassName="h-9"
        empty={
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
        }
        columns={columns}
        getRowId={(u) => u.userId}
        sort={sort}
        onSort={toggle}
        testId="users-table"
        rowTestId="user-row"
      />
    </div>
  );
}
