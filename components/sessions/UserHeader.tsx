"use client";
import Link from "next/link";
import { Badge } from "@/components/ui/Badge";
import { CopyButton } from "@/components/ui/CopyButton";
import { formatCost, formatCount, formatDuration } from "@/components/ui/format";
import { IconExternal, IconUser } from "@/components/ui/Icons";
import { DateTime, RelativeTime } from "@/components/ui/Time";
import { tracesUrl, userTracesFilter } from "@/lib/store/sessions-query";
import type { UserSummary } from "@/lib/store/users";

function Stat({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="min-w-[6.5rem]">
      <div className="text-[11px] uppercase tracking-wide text-slate-500">{label}</div>
      <div className="text-sm font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {children}
      </div>
    </div>
  );
}

export function UserHeader({ experimentId, user }: { experimentId: string; user: UserSummary }) {
  return (
    <div className="shrink-0 border-b border-slate-200 bg-white px-5 py-3">
      <div className="flex items-center gap-2">
        <Link href={`/experiments/${encodeURIComponent(experimentId)}/users`} className="text-xs text-slate-500 hover:text-slate-800">
          ← Users
        </Link>
        <span className="flex h-6 w-6 items-center justify-center rounded-full bg-indigo-50 text-indigo-600">
          <IconUser size={13} />
        </span>
        <h2 className="text-sm font-semibold text-slate-900" data-testid="user-title">
          {user.userId}
        </h2>
        <CopyButton text={user.userId} label="Copy user ID" />
        <Link
          href={tracesUrl(experimentId, userTracesFilter(user.userId))}
          className="ml-auto inline-flex h-7 items-center gap-1 rounded-md border border-slate-300 bg-white px-2.5 text-xs font-medium text-slate-700 shadow-sm hover:bg-slate-50"
          data-testid="user-traces-link"
        >
          View all {formatCount(user.traces)} traces <IconExternal size={12} />
        </Link>
      </div>
      <div className="mt-3 flex flex-wrap gap-x-6 gap-y-2">
        <Stat label="Sessions" testId="user-stat-sessions">{formatCount(user.sessions)}</Stat>
        <Stat label="Traces" testId="user-stat-traces">{formatCount(user.traces)}</Stat>
        <Stat label="Tokens">{formatCount(user.totalTokens)}</Stat>
        {user.cost !== null && <Stat label="Cost">{formatCost(user.cost)}</Stat>}
        <Stat label="Time in turns">{formatDuration(user.totalDuration)}</Stat>
        <Stat label="Errors">{user.errorTurns > 0 ? <Badge tone="red">{formatCount(user.errorTurns)}</Badge> : "0"}</Stat>
        <Stat label="First seen"><DateTime ms={user.firstSeen} /></Stat>
        <Stat label="Last seen"><RelativeTime ms={user.lastSeen} /></Stat>
      </div>
    </div>
  );
}
