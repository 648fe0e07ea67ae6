"use client";
// The Sessions table: one row per conversation, aggregated on the server (trace_sessions), keyset pages
// loaded as the user scrolls. Search, user, time range, errors and sort live in the URL.
import Link from "next/link";
import { useMemo } from "react";
import { Badge } from "@/components/ui/Badge";
import { columnHelper } from "@/components/ui/DataTable";
import { formatCount, formatDuration } from "@/components/ui/format";
import { IconMessage } from "@/components/ui/Icons";
import { SearchInput } from "@/components/ui/SearchInput";
import { EmptyState } from "@/components/ui/States";
import type { Page, SessionListRow } from "@/lib/store/sessions";
import { RANGE_PRESETS, sessionListKey, sessionTracesFilter, tracesUrl, type SessionSortKey } from "@/lib/store/sessions-query";
import { FilterBar } from "./FilterBar";
import { SessionsEmptyHelp } from "./SessionsEmptyHelp";
import { costColumn, errorsColumn, KeysetTable, timeColumn, tokensColumn, tracesLinkColumn, useKeysetList } from "./KeysetTable";
import { useDraft } from "@/components/useDraft";
import { useUrlState } from "@/components/useUrlState";
import { sessionHref, sortParam, userHref } from "./urlState";

const col = columnHelper<SessionListRow>();
const sessionColumns = (experimentId: string) => [
  col.display({
    id: "session_id",
    header: "Session",
    meta: { headerClassName: "min-w-[18rem]", cellClassName: "max-w-[28rem]" },
    cell: ({ row: { original: s } }) => (
      <>
        <Link href={sessionHref(experimentId, s.sessionId)} className="font-mono text-[12.5px] font-medium text-indigo-700 hover:underline" data-testid="session-link">
          {s.sessionId}
        </Link>
        {s.firstMessage && <p className="mt-0.5 truncate text-xs text-slate-500" title={s.firstMessage}>{s.firstMessage}</p>}
      </>
    ),
  }),
  col.display({
    id: "users",
    header: "User",
    cell: ({ row: { original: s } }) => (
      <div className="flex flex-wrap gap-1">
        {s.users.length === 0 && <span className="text-slate-400">—</span>}
        {s.users.slice(0, 3).map((u) => (
          <Link key={u} href={userHref(experimentId, u)} className="truncate text-[12.5px] text-slate-700 hover:text-indigo-700 hover:underline">
            {u}
          </Link>
        ))}
        {s.users.length > 3 && <Badge>+{s.users.length - 3}</Badge>}
      </div>
    ),
  }),
  col.display({ id: "turns", header: "Turns", meta: { align: "right", cellTestId: "session-turns" }, cell: ({ row }) => formatCount(row.original.turns) }),
  timeColumn<SessionListRow>("first_activity", "Started", (s) => s.firstActivity),
  timeColumn<SessionListRow>("last_activity", "Last activity", (s) => s.lastActivity, true),
  col.display({ id: "duration", header: "Duration", meta: { align: "right", cellClassName: "text-slate-600" }, cell: ({ row }) => formatDuration(row.original.totalDuration) }),
  tokensColumn<SessionListRow>("session-tokens"),
  costColumn<SessionListRow>(),
  errorsColumn<SessionListRow>((s) => s.errorTurns, "session-errors"),
  tracesLinkColumn<SessionListRow>((s) => tracesUrl(experimentId, sessionTracesFilter(s.sessionId))),
];

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
  const { params, set } = useUrlState();
  const q = params.get("q") ?? "";
  const user = fixedUser ?? params.get("user") ?? "";
  const range = params.get("range") ?? "";
  const errors = params.get("errors") ?? "";
  const [searchText, setSearchText] = useDraft(q);
  const [userText, setUserText] = useDraft(user);

  const key = sessionListKey(params, fixedUser);
  const list = useKeysetList<SessionListRow>("sessions", experimentId, key, { page: initial, key: initialKey });
  const { sort, toggle } = sortParam<SessionSortKey>(params, set, "last_activity");
  const filtered = Boolean(q || (!fixedUser && user) || range || errors);
  // the user page lists one user's sessions: no user column
  const columns = useMemo(() => sessionColumns(experimentId).filter((c) => !(fixedUser && c.id === "users")), [experimentId, fixedUser]);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <FilterBar
        className="flex-wrap"
        filtered={filtered}
        onSearch={() => set({ q: searchText.trim() || null, ...(fixedUser ? {} : { user: userText.trim() || null }) })}
        onClear={() => {
          setSearchText("");
          setUserText(fixedUser ?? "");
          set({ q: null, range: null, errors: null, ...(fixedUser ? {} : { user: null }) });
        }}
      >
        <SearchInput
          className="min-w-[16rem] flex-1"
          aria-label="Search sessions"
          value={searchText}
          onValueChange={setSearchText}
          placeholder="Search by session ID or message text…"
        />
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
      </FilterBar>

      <KeysetTable
        list={list}
        noun="session"
        errorTitle="Sessions could not be loaded"
        skeletonRowClassName="h-10"
        empty={
          filtered || fixedUser || hasAnySessions ? (
            <EmptyState className="m-5" icon={<IconMessage size={18} />} title={fixedUser ? "This user has no sessions" : "No sessions match"}>
              {fixedUser ? "Their traces carry no session ID." : "Change the search or the filters."}
            </EmptyState>
          ) : (
            <SessionsEmptyHelp experimentId={experimentId} />
          )
        }
        columns={columns}
        getRowId={(s) => s.sessionId}
        sort={sort}
        onSort={toggle}
        cellClassName="align-top"
        testId="sessions-table"
        rowTestId="session-row"
      />
    </div>
  );
}
