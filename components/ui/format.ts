// Display formatting shared by every view (table cells, trace header, span tree, sessions pages).

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** "2025-06-15 14:07:41" in the viewer's local time zone. */
export function formatDateTime(ms: number | string | bigint | null | undefined): string {
  if (ms === null || ms === undefined || ms === "") return "—";
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return "—";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "3 min ago", "2 days ago"; falls back to the date past a month. `now` is injectable for stable renders. */
export function formatRelative(ms: number | string | bigint | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined || ms === "") return "—";
  const t = Number(ms);
  const s = Math.round((now - t) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 31) return `${d} day${d === 1 ? "" : "s"} ago`;
  return formatDateTime(t).slice(0, 10);
}

/** Durations in ms: "850 µs", "12 ms", "1.54 s", "2 m 05 s", "1 h 02 m". */
export function formatDuration(ms: number | string | bigint | null | undefined): string {
  if (ms === null || ms === undefined || ms === "") return "—";
  const v = Number(ms);
  if (!Number.isFinite(v)) return "—";
  if (v < 1) return `${Math.round(v * 1000)} µs`;
  if (v < 1000) return `${v < 10 ? v.toFixed(1).replace(/\.0$/, "") : Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)} s`;
  if (v < 3_600_000) return `${Math.floor(v / 60_000)} m ${pad(Math.floor((v % 60_000) / 1000))} s`;
  return `${Math.floor(v / 3_600_000)} h ${pad(Math.floor((v % 3_600_000) / 60_000))} m`;
}

/** 1234 → "1,234"; 1234567 → "1.23M" when compact. */
export function formatCount(n: number | string | bigint | null | undefined, compact = false): string {
  if (n === null || n === undefined || n === "") return "—";
  const v = Number(n);
  if (!Number.isFinite(v)) return "—";
  if (compact && Math.abs(v) >= 10_000) {
    return new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 2 }).format(v);
  }
  return new Intl.NumberFormat("en").format(v);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Shortens a long id in the middle: "tr-0af76519…80319c". */
export function shortId(id: string, head = 11, tail = 6): string {
  return id.length <= head + tail + 1 ? id : `${id.slice(0, head)}…${id.slice(-tail)}`;
}

/** "$0.42", "$0.0031" (two significant digits under a cent), "—" when no price was known. */
export function formatCost(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) return "—";
  if (cost === 0) return "$0";
  return cost < 0.01 ? `$${cost.toPrecision(2)}` : `$${cost.toFixed(2)}`;
}

/** "2025-06-15 14:07 UTC" (account pages: tokens and users are the same for every viewer), "never". */
export function formatUtcMinute(ms: number | null): string {
  if (ms === null) return "never";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
