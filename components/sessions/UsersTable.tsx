"use client";
// The Users tab: one row per end user (mlflow.trace.user / user.id) with sessions, traces, tokens, errors
// and first/last seen, aggregated on the server; search and sort in the URL.
import Link from "next/link";
import { useMemo } from "react";
import { columnHelper } from "@/components/ui/DataTable";
import { formatCount } from "@/components/ui/format";
import { IconUser } from "@/components/ui/Icons";
import { SearchInput } from "@/components/ui/SearchInput";
import { EmptyState } from "@/components/ui/States";
import type { Page } from "@/lib/store/sessions";
import { tracesUrl, userListKey, userTracesFilter, type UserSortKey } from "@/lib/store/sessions-query";
import type { UserSummary } from "@/lib/store/users";
import { FilterBar } from "./FilterBar";
import { costColumn, errorsColumn, KeysetTable, timeColumn, tokensColumn, tracesLinkColumn, useKeysetList } from "./KeysetTable";
import { useDraft } from "@/components/useDraft";
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
  tokensColumn<UserSummary>(),
  costColumn<UserSummary>(),
  errorsColumn<UserSummary>((u) => u.errorTurns),
  timeColumn<UserSummary>("first_seen", "First seen", (u) => u.firstSeen),
  timeColumn<UserSummary>("last_seen", "Last seen", (u) => u.lastSeen, true),
  tracesLinkColumn<UserSummary>((u) => tracesUrl(experimentId, userTracesFilter(u.userId))),
];

export function UsersTable({ experimentId, initial, initialKey }: { experimentId: string; initial?: Page<UserSummary> | null; initialKey?: string }) {
  const { params, set } = useUrlState();
  const q = params.get("q") ?? "";
  const [text, setText] = useDraft(q);
  const key = userListKey(params);
  const list = useKeysetList<UserSummary>("users", experimentId, key, { page: initial, key: initialKey });
  const { sort, toggle } = sortParam<UserSortKey>(params, set, "last_seen");
  const columns = useMemo(() => userColumns(experimentId), [experimentId]);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <FilterBar
        filtered={Boolean(q)}
        onSearch={() => set({ q: text.trim() || null })}
        onClear={() => {
          setText("");
          set({ q: null });
        }}
      >
        <SearchInput className="max-w-md flex-1" aria-label="Search users" value={text} onValueChange={setText} placeholder="Search user IDs…" />
      </FilterBar>
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
