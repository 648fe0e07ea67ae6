// The time-range presets of the traces table: the quick-filter select offers them and the server turns
// the chosen one into `trace.timestamp_ms >= now - ms`. Pure data: client components import it.

export interface TimeRange {
  key: string;
  label: string;
  ms: number;
}

export const TIME_RANGES: readonly TimeRange[] = [
  { key: "15m", label: "Last 15 min", ms: 15 * 60_000 },
  { key: "1h", label: "Last hour", ms: 3_600_000 },
  { key: "24h", label: "Last 24 h", ms: 86_400_000 },
  { key: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { key: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
];

export function findTimeRange(key: string | undefined): TimeRange | undefined {
  return TIME_RANGES.find((r) => r.key === key);
}
