"use client";
import Link from "next/link";
import { Badge } from "@/components/ui/Badge";
import { formatCost, formatCount, formatDuration } from "@/components/ui/format";
import { DateTime } from "@/components/ui/Time";
import type { SessionListRow } from "@/lib/store/sessions";
import { sessionTracesFilter, tracesUrl, userTracesFilter } from "@/lib/store/sessions-query";
import { userHref } from "./urlState";

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="flex items-baseline justify-between gap-3 py-1.5 text-sm">
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 text-right tabular-nums text-slate-900" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

export function SessionSummaryPanel({ experimentId, session }: { experimentId: string; session: SessionListRow }) {
  const elapsed = session.firstActivity !== null && session.lastActivity !== null ? session.lastActivity - session.firstActivity : null;
  return (
    <section className="border-b border-slate-200 p-4" aria-label="Session summary">
      <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">Summary</h3>
      <dl className="divide-y divide-slate-100">
        <Row label={session.users.length === 1 ? "User" : "Users"}>
          <div className="flex flex-col items-end gap-0.5">
            {session.users.length === 0 && <span className="text-slate-400">—</span>}
            {session.users.map((u) => (
              <span key={u} className="flex items-center gap-2">
                <Link href={userHref(experimentId, u)} className="truncate text-indigo-700 hover:underline" data-testid="summary-user">
                  {u}
                </Link>
                <Link href={tracesUrl(experimentId, userTracesFilter(u))} className="text-[11px] text-slate-400 hover:text-indigo-700">
                  traces
                </Link>
              </span>
            ))}
          </div>
        </Row>
        <Row label="Turns" testId="summary-turns">{formatCount(session.turns)}</Row>
        <Row label="Tokens" testId="summary-tokens">
          <span title={`${formatCount(session.inputTokens)} in / ${formatCount(session.outputTokens)} out`}>{formatCount(session.totalTokens)}</span>
        </Row>
        <Row label="Input / output">
          {formatCount(session.inputTokens, true)} / {formatCount(session.outputTokens, true)}
        </Row>
        {session.cost !== null && <Row label="Cost">{formatCost(session.cost)}</Row>}
        <Row label="Time in turns">{formatDuration(session.totalDuration)}</Row>
        <Row label="Elapsed">{formatDuration(elapsed)}</Row>
        <Row label="Errors" testId="summary-errors">
          {session.errorTurns > 0 ? <Badge tone="red">{formatCount(session.errorTurns)} turn{session.errorTurns === 1 ? "" : "s"}</Badge> : "none"}
        </Row>
        <Row label="Started">
          <DateTime ms={session.firstActivity} />
        </Row>
        <Row label="Last activity">
          <DateTime ms={session.lastActivity} />
        </Row>
      </dl>
      <Link href={tracesUrl(experimentId, sessionTracesFilter(session.sessionId))} className="mt-3 block text-center text-xs font-medium text-indigo-700 hover:underline">
        Open these {formatCount(session.turns)} traces in the trace table →
      </Link>
    </section>
  );
}
