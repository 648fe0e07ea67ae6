// End users of an app (metadata `mlflow.trace.user` / OTel `user.id`, denormalized into traces.user_id):
// read from the trigger-maintained summary trace_users; session counts come from trace_sessions.users.
import { getPool } from "../db";
import { ApiError } from "../errors";
import { assertExperiment, decodeCursor, encodeCursor, experimentIdOf, likePattern, listSort, pageSizeOf, type Page, type SortDir } from "./sessions";

import type { UserSortKey } from "./sessions-query";
export { USER_SORT_KEYS, type UserSortKey } from "./sessions-query";

export interface UserSummary {
  userId: string;
  sessions: number;
  traces: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cost: number | null;
  totalDuration: number;
  errorTurns: number;
  firstSeen: number | null;
  lastSeen: number | null;
}

export interface UserListParams {
  experimentId: string;
  search?: string;
  sort?: UserSortKey;
  dir?: SortDir;
  pageSize?: number;
  pageToken?: string;
}

const USER_SORTS: Record<UserSortKey, { expr: string; type: "bigint" | "text" | "float8" }> = {
  user_id: { expr: "u.user_id", type: "text" },
  sessions: { expr: "coalesce(sc.sessions, 0)", type: "bigint" },
  traces: { expr: "u.traces", type: "bigint" },
  tokens: { expr: "u.total_tokens", type: "bigint" },
  cost: { expr: "coalesce(u.cost, 0)", type: "float8" },
  errors: { expr: "u.error_turns", type: "bigint" },
  // never null in a summary row, so the bare columns can use the (experiment_id, last_time) index
  first_seen: { expr: "u.first_time", type: "bigint" },
  last_seen: { expr: "u.last_time", type: "bigint" },
};

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function fromRow(r: Record<string, unknown>): UserSummary {
  return {
    userId: r.user_id as string,
    sessions: num(r.sessions),
    traces: num(r.traces),
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    totalTokens: num(r.total_tokens),
    cost: numOrNull(r.cost),
    totalDuration: num(r.total_duration),
    errorTurns: num(r.error_turns),
    firstSeen: numOrNull(r.first_time),
    lastSeen: numOrNull(r.last_time),
  };
}

export async function listUsers(p: UserListParams): Promise<Page<UserSummary>> {
  const experimentId = experimentIdOf(p.experimentId);
  const { sort, dir, expr, type } = listSort(USER_SORTS, p.sort, "last_seen", p.dir);
  const size = pageSizeOf(p.pageSize);
  const pool = getPool();
  await assertExperiment(experimentId);

  const values: unknown[] = [experimentId];
  const add = (v: unknown) => (values.push(v), `$${values.length}`);
  const where = ["u.experiment_id = $1"];
  if (p.search?.trim()) where.push(`u.user_id ILIKE ${add(likePattern(p.search.trim()))}`);
  if (p.pageToken) {
    const c = decodeCursor(p.pageToken, sort, dir);
    where.push(`(${expr}, u.user_id) ${dir === "desc" ? "<" : ">"} (${add(c.v)}::${type}, ${add(c.k)})`);
  }
  // Sorting by session count needs the counts of all users; otherwise only the page's users are counted.
  const sessionCounts =
    sort === "sessions"
      ? `LEFT JOIN (SELECT x.user_id, count(*) AS sessions FROM trace_sessions s, unnest(s.users) AS x(user_id)
                      WHERE s.experiment_id = $1 GROUP BY x.user_id) sc ON sc.user_id = u.user_id`
      : "";
  const limit = add(size + 1);
  const sql = sessionCounts
    ? `SELECT u.*, sc.sessions, ${expr} AS sort_value FROM trace_users u ${sessionCounts}
        WHERE ${where.join(" AND ")} ORDER BY ${expr} ${dir}, u.user_id ${dir} LIMIT ${limit}`
    : `SELECT p.*, (SELECT count(*) FROM trace_sessions s WHERE s.experiment_id = $1 AND s.users @> ARRAY[p.user_id]) AS sessions
         FROM (SELECT u.*, ${expr} AS sort_value FROM trace_users u
                WHERE ${where.join(" AND ")} ORDER BY ${expr} ${dir}, u.user_id ${dir} LIMIT ${limit}) p
        ORDER BY p.sort_value ${dir}, p.user_id ${dir}`;
  const { rows } = await pool.query(sql, values);
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    items: page.map(fromRow),
    nextPageToken: rows.length > size && last ? encodeCursor({ s: sort, d: dir, v: String(last.sort_value), k: last.user_id }) : null,
  };
}

export async function getUser(experimentIdRaw: string, userId: string): Promise<UserSummary> {
  const experimentId = experimentIdOf(experimentIdRaw);
  const { rows } = await getPool().query(
    `SELECT u.*, (SELECT count(*) FROM trace_sessions s WHERE s.experiment_id = $1 AND s.users @> ARRAY[$2]::text[]) AS sessions
       FROM trace_users u WHERE u.experiment_id = $1 AND u.user_id = $2`,
    [experimentId, userId],
  );
  if (!rows.length) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `User '${userId}' has no traces in experiment '${experimentId}'`);
  return fromRow(rows[0]);
}
