// Trace search (spec §5.5–§5.8): filter + order_by + keyset pages over the `traces` table, always bounded
// to the given experiments first so that every plan starts from an (experiment_id, …) index.
import { getPool } from "../db";
import { invalidParameter } from "../errors";
import { compileTraceFilter, compileTraceOrderBy } from "./compile";
import { parseFilter } from "./parse";
import { isExperimentId } from "../experiment-id";
import {
  checkMaxResults,
  decodePageToken,
  encodePageToken,
  keysetCondition,
  mapQueryError,
  orderByClause,
  queryHash,
  SqlParams,
  type KeyValue,
  selectAs,
  type SortKey,
} from "./sql";

/** One row of `traces`, camelCase as in the Prisma model; int8 columns as bigint. */
export interface TraceRow {
  traceId: string;
  experimentId: bigint;
  clientRequestId: string | null;
  requestTime: bigint;
  executionDuration: bigint | null;
  endTime: bigint | null;
  state: string;
  requestPreview: string | null;
  responsePreview: string | null;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  name: string | null;
  sessionId: string | null;
  userId: string | null;
  inputTokens: bigint | null;
  outputTokens: bigint | null;
  totalTokens: bigint | null;
  cost: number | null;
  spanCount: number;
  errorCount: number;
  rootSpanId: string | null;
  infoFinalized: boolean;
  updatedAt: bigint;
}

/** The select list producing a TraceRow (before `toTraceRow`) from `traces t`. */
export const TRACE_ROW_SELECT = selectAs("t", {
  traceId: "trace_id",
  experimentId: "experiment_id",
  clientRequestId: "client_request_id",
  requestTime: "request_time",
  executionDuration: "execution_duration",
  endTime: "end_time",
  state: "state",
  requestPreview: "request_preview",
  responsePreview: "response_preview",
  metadata: "trace_metadata",
  tags: "tags",
  name: "name",
  sessionId: "session_id",
  userId: "user_id",
  inputTokens: "input_tokens",
  outputTokens: "output_tokens",
  totalTokens: "total_tokens",
  cost: "cost",
  spanCount: "span_count",
  errorCount: "error_count",
  rootSpanId: "root_span_id",
  infoFinalized: "info_finalized",
  updatedAt: "updated_at",
});

const BIGINT_KEYS = ["experimentId", "requestTime", "executionDuration", "endTime", "inputTokens", "outputTokens", "totalTokens", "updatedAt"] as const;

/** Converts a raw `pg` row selected with TRACE_ROW_SELECT (int8 as strings) into a TraceRow. */
export function toTraceRow(raw: Record<string, unknown>): TraceRow {
  const row = { ...raw } as Record<string, unknown>;
  for (const k of BIGINT_KEYS) {
    const v = row[k];
    row[k] = v === null || v === undefined ? null : BigInt(v as string | number | bigint);
  }
  return row as unknown as TraceRow;
}

export const DEFAULT_MAX_RESULTS = 100;
export const MAX_MAX_RESULTS = 500;

export interface SearchTracesQuery {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
}

/** Above this many experiments a search filters with `= ANY(…)` instead of one index branch each. */
const MAX_UNION_BRANCHES = 50;

interface Prepared {
  params: SqlParams;
  /** one experiment condition per index branch (usually one) */
  branches: string[];
  /** every experiment in one condition (counts) */
  allExperiments: () => string;
  /** filter conditions shared by all branches */
  where: string[];
}

function prepareFilter(q: { experimentIds: string[]; filter?: string }): Prepared {
  if (!Array.isArray(q.experimentIds) || q.experimentIds.length === 0) throw invalidParameter("At least one experiment ID is required (locations)");
  for (const id of q.experimentIds) {
    if (!isExperimentId(String(id))) throw invalidParameter(`Invalid experiment ID '${id}'`);
  }
  const ids = [...new Set(q.experimentIds.map(String))];
  const params = new SqlParams();
  let branches: string[];
  let all: () => string;
  let spans: () => string;
  if (ids.length === 1) {
    // a plain equality keeps the (experiment_id, …) index prefix exact
    const p = params.add(ids[0], "bigint");
    all = () => `t.experiment_id = ${p}`;
    branches = [all()];
    spans = () => `s.experiment_id = ${p}`;
  } else if (ids.length <= MAX_UNION_BRANCHES) {
    // An index returns one experiment's traces in order; several experiments are merged from one
    // ordered, limited branch each rather than sorting all their rows.
    const ps = ids.map((id) => params.add(id, "bigint"));
    all = () => `t.experiment_id IN (${ps.join(", ")})`;
    spans = () => `s.experiment_id IN (${ps.join(", ")})`;
    branches = ps.map((p) => `t.experiment_id = ${p}`);
  } else {
    const arr = params.add(ids, "bigint[]");
    all = () => `t.experiment_id = ANY(${arr})`;
    spans = () => `s.experiment_id = ANY(${arr})`;
    branches = [all()];
  }
  const where: string[] = [];
  const cond = compileTraceFilter(parseFilter(q.filter ?? ""), params, { spanExperimentCondition: spans });
  if (cond !== "TRUE") where.push(`(${cond})`);
  return { params, branches, allExperiments: all, where };
}

/** The SQL searchTraces runs (also used to EXPLAIN it in tests and benchmarks). Selects `limit + 1`
 *  rows so that a next page is announced only when one exists. */
export function buildTraceSearchSql(
  q: SearchTracesQuery,
  select: string = TRACE_ROW_SELECT,
): { sql: string; values: unknown[]; keys: SortKey[]; limit: number; hash: string } {
  const limit = checkMaxResults(q.maxResults, DEFAULT_MAX_RESULTS, MAX_MAX_RESULTS);
  const { params, branches, where } = prepareFilter(q);
  const keys = compileTraceOrderBy(q.orderBy, params);
  const hash = queryHash({ e: [...new Set(q.experimentIds.map(String))].sort(), f: q.filter ?? "", o: q.orderBy ?? [] });
  if (q.pageToken) where.push(keysetCondition(keys, decodePageToken(q.pageToken, hash, keys.length), params));
  const keyCols = keys.map((k, i) => `${k.sql} AS "_k${i}"`).join(", ");
  const limitParam = params.add(limit + 1, "integer");
  const branch = (experiment: string) =>
    `SELECT ${select}, ${keyCols} FROM traces t WHERE ${[experiment, ...where].join(" AND ")} ORDER BY ${orderByClause(keys)} LIMIT ${limitParam}`;
  const sql =
    branches.length === 1
      ? branch(branches[0])
      : `SELECT * FROM (${branches.map((b) => `(${branch(b)})`).join(" UNION ALL ")}) u ORDER BY ${orderByClause(
          keys.map((k, i) => ({ ...k, sql: `u."_k${i}"` })),
        )} LIMIT ${limitParam}`;
  return { sql, values: params.values, keys, limit, hash };
}

export async function searchTraces(q: SearchTracesQuery): Promise<{ rows: TraceRow[]; nextPageToken?: string }> {
  const { rows, nextPageToken } = await searchTraceRecords(q, TRACE_ROW_SELECT);
  return { rows: rows.map(toTraceRow), nextPageToken };
}

/** searchTraces with the caller's select list over `traces t` (`expr AS "name", …`), rows as `pg` gives
 *  them: the traces table selects the registry's columns instead of a whole TraceRow. */
export async function searchTraceRecords(q: SearchTracesQuery, select: string): Promise<{ rows: Record<string, unknown>[]; nextPageToken?: string }> {
  const { sql, values, keys, limit, hash } = buildTraceSearchSql(q, select);
  let raw: Record<string, unknown>[];
  try {
    raw = (await getPool().query(sql, values)).rows;
  } catch (err) {
    mapQueryError(err);
  }
  const more = raw.length > limit;
  const page = more ? raw.slice(0, limit) : raw;
  const rows = page.map((r) => {
    const copy = { ...r };
    keys.forEach((_, i) => delete copy[`_k${i}`]);
    return copy;
  });
  if (!more) return { rows };
  const last = page[page.length - 1];
  return { rows, nextPageToken: encodePageToken(keys.map((_, i) => last[`_k${i}`] as KeyValue), hash) };
}

/** Exact number of traces matching the filter in the experiments. */
export async function countTraces(q: { experimentIds: string[]; filter?: string }): Promise<number> {
  const { params, allExperiments, where } = prepareFilter(q);
  try {
    const { rows } = await getPool().query(`SELECT count(*) AS n FROM traces t WHERE ${[allExperiments(), ...where].join(" AND ")}`, params.values);
    return Number(rows[0].n);
  } catch (err) {
    mapQueryError(err);
  }
}
