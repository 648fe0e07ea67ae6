// What the server prints, by level. The level lives in process.env.FLOWTRACE_LOG_LEVEL, not in a module
// variable: the start command (loaded through tsx) and the route modules Next bundled into .next are two
// copies of this file in one process, and both must obey `--log-level`.
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function logLevel(): LogLevel {
  const l = process.env.FLOWTRACE_LOG_LEVEL?.toLowerCase();
  return l && l in RANK ? (l as LogLevel) : "info";
}

export function setLogLevel(level: LogLevel): void {
  process.env.FLOWTRACE_LOG_LEVEL = level;
}

export const enabled = (level: LogLevel) => RANK[level] <= RANK[logLevel()];

export const log = {
  error: (m: string) => enabled("error") && console.error(`flowtrace: error: ${m}`),
  warn: (m: string) => enabled("warn") && console.error(`flowtrace: warning: ${m}`),
  info: (m: string) => enabled("info") && console.log(`flowtrace: ${m}`),
  debug: (m: string) => enabled("debug") && console.log(`flowtrace: ${m}`),
};

/**
 * A request the client got wrong (4xx) is worth one line for whoever runs the server (debug level: an
 * exporter retrying a bad batch would otherwise fill the terminal); never a stack or an SQL statement.
 */
export function logClientError(status: number, method: string | undefined, path: string | undefined, message: string): void {
  if (!enabled("debug")) return;
  const route = (path ?? "").split("?")[0];
  console.log(`flowtrace: ${status} ${method ?? ""} ${route}: ${message.replace(/\s+/g, " ").slice(0, 300)}`);
}
