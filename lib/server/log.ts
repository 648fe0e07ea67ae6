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
