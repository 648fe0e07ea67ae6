// URL query → list parameters, shared by the JSON endpoints, the server-rendered pages and the browser
// so that a URL means the same thing to all three; and the links into the traces table. No server-only
// imports here: client components use it.
import { invalidParameter } from "../errors";
import type { SessionListParams, SortDir } from "./sessions";
import type { UserListParams } from "./users";
import { quoteFilterValue } from "../search/parse";
import { TIME_RANGES } from "../search/timeRanges";

export const SESSION_SORT_KEYS = ["session_id", "users", "turns", "first_activity", "last_activity", "duration", "tokens", "cost", "errors"] as const;
export type SessionSortKey = (typeof SESSION_SORT_KEYS)[number];
export const USER_SORT_KEYS = ["user_id", "sessions", "traces", "tokens", "cost", "errors", "first_seen", "last_seen"] as const;
export type UserSortKey = (typeof USER_SORT_KEYS)[number];

type Query = URLSearchParams | Record<string, string | string[] | undefined>;

function get(q: Query, key: string): string | undefined {
  if (q instanceof URLSearchParams) return q.get(key) ?? undefined;
  const v = q[key];
  return typeof v === "string" ? v : Array.isArray(v) ? v[0] : undefined;
}

/** Time range presets of the filter bar, in ms: the traces table's presets (lib/search/timeRanges.ts). */
export const RANGE_PRESETS: Record<string, number> = Object.fromEntries(TIME_RANGES.map((r) => [r.key, r.ms]));

function intParam(q: Query, key: string): number | undefined {
  const v = get(q, key);
  if (v === undefined || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidParameter(`'${key}' must be an integer, got '${v}'`);
  return Number(v);
}

function dirParam(q: Query): SortDir | undefined {
  const d = get(q, "dir");
  if (d === undefined || d === "") return undefined;
  if (d !== "asc" && d !== "desc") throw invalidParameter(`'dir' must be asc or desc, got '${d}'`);
  return d;
}

export function pageQuery(q: Query): { pageSize?: number; pageToken?: string } {
  return { pageSize: intParam(q, "size"), pageToken: get(q, "page_token") || undefined };
}

export function parseSessionListQuery(q: Query, now = Date.now()): Omit<SessionListParams, "experimentId"> {
  const sort = get(q, "sort") || undefined;
  if (sort !== undefined && !(SESSION_SORT_KEYS as readonly string[]).includes(sort)) throw invalidParameter(`Unknown sort '${sort}'`);
  const range = get(q, "range");
  let from = intParam(q, "from");
  if (range) {
    if (!RANGE_PRESETS[range]) throw invalidParameter(`Unknown range '${range}'`);
    from = now - RANGE_PRESETS[range];
  }
  const errors = get(q, "errors");
  return {
    search: get(q, "q") || undefined,
    userId: get(q, "user") || undefined,
    from,
    to: intParam(q, "to"),
    hasErrors: errors === "1" || errors === "true" ? true : errors === "0" || errors === "false" ? false : undefined,
    sort: sort as SessionSortKey | undefined,
    dir: dirParam(q),
    ...pageQuery(q),
  };
}

export function parseUserListQuery(q: Query): Omit<UserListParams, "experimentId"> {
  const sort = get(q, "sort") || undefined;
  if (sort !== undefined && !(USER_SORT_KEYS as readonly string[]).includes(sort)) throw invalidParameter(`Unknown sort '${sort}'`);
  return { search: get(q, "q") || undefined, sort: sort as UserSortKey | undefined, dir: dirParam(q), ...pageQuery(q) };
}

/** An MLflow filter string literal, written as the grammar reads it back (lib/search/parse.ts). */
export const filterLiteral = quoteFilterValue;

export function sessionTracesFilter(sessionId: string): string {
  return `metadata.\`mlflow.trace.session\` = ${filterLiteral(sessionId)}`;
}

export function userTracesFilter(userId: string): string {
  return `metadata.\`mlflow.trace.user\` = ${filterLiteral(userId)}`;
}

export function tracesUrl(experimentId: string, filter: string): string {
  return `/experiments/${encodeURIComponent(experimentId)}/traces?filter=${encodeURIComponent(filter)}`;
}

/**
 * The canonical query string of a sessions list view (defaults left out): the react-query key in the
 * browser and the check that the server-rendered first page matches it.
 */
export function sessionListKey(q: Query, fixedUser?: string): string {
  const out = new URLSearchParams();
  for (const k of ["q", "user", "range", "errors"]) {
    const v = k === "user" && fixedUser !== undefined ? fixedUser : get(q, k);
    if (v) out.set(k, v);
  }
  const sort = get(q, "sort");
  if (sort && sort !== "last_activity") out.set("sort", sort);
  if (get(q, "dir") === "asc") out.set("dir", "asc");
  return out.toString();
}

export function userListKey(q: Query): string {
  const out = new URLSearchParams();
  const s = get(q, "q");
  if (s) out.set("q", s);
  const sort = get(q, "sort");
  if (sort && sort !== "last_seen") out.set("sort", sort);
  if (get(q, "dir") === "asc") out.set("dir", "asc");
  return out.toString();
}
