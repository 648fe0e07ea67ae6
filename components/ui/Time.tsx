"use client";
import { formatDateTime, formatRelative } from "./format";
import { useHydrated } from "./hydrated";

function utc(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + "Z";
}

/** A timestamp in the viewer's time zone, with the relative age on hover. */
export function DateTime({ ms, className }: { ms: number | null | undefined; className?: string }) {
  const hydrated = useHydrated();
  if (ms === null || ms === undefined) return <span className={className}>—</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} className={className} title={hydrated ? formatRelative(ms) : undefined}>
      {hydrated ? formatDateTime(ms) : utc(ms)}
    </time>
  );
}

/** "3 min ago", with the exact time on hover. */
export function RelativeTime({ ms, className, empty = "—" }: { ms: number | null | undefined; className?: string; empty?: React.ReactNode }) {
  const hydrated = useHydrated();
  if (ms === null || ms === undefined) return <span className={className}>{empty}</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} className={className} title={hydrated ? formatDateTime(ms) : undefined}>
      {hydrated ? formatRelative(ms) : utc(ms)}
    </time>
  );
}
