// Reads behind the web UI that are not trace search: the experiments list with trace statistics, one
// trace's header, its span skeleton (ids, parents, names, types, times, status: never payloads), one span's
// payload on demand, content search inside a trace, and the cheap "anything newer?" probe the table polls.
// The skeleton/payload split is what lets a 50,000-span trace open without moving 50,000 payloads.
// Over 400 lines: the reads of the traces table and trace view, which share the row mapping and limits.
import type { TraceFigures } from "./rows";
import { getPool } from "../db";
import { notFound } from "../errors";
import { isExperimentId } from "../experiment-id";
import { compileTraceFilter } from "../search/compile";
import { TRACE_COLUMNS, TRACE_ORDER_KEYS } from "../search/fields";
import { parseFilter } from "../search/parse";
import { SqlParams } from "../search/sql";
import { findTimeRange } from "../search/timeRanges";
import { countTraces, searchTraceRecords } from "../search/traces";

export interface ExperimentSummary {
  id: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
  creationTime: number;
  lastUpdateTime: number;
  traceCount: number;
  lastTraceTime: number | null;
  description: string | null;
}

export type ExperimentSort = "created" | "name" | "last_trace" | "traces";

const SORT_SQL: Record<ExperimentSort, string> = {
  created: "e.creation_time",
  name: "lower(e.name)",
  last_trace: "s.last_trace_time",
  traces: "s.trace_count",
};

function toSummary(r: Record<string, unknown>): ExperimentSummary {
  return {
    id: String(r.experiment_id),
    name: String(r.name),
    artifactLocation: String(r.artifact_location),
    lifecycleStage: String(r.lifecycle_stage),
    creationTime: Number(r.creation_time),
    lastUpdateTime: Number(r.last_update_time),
    traceCount: Number(r.trace_count ?? 0),
    lastTraceTime: r.last_trace_time === null || r.last_trace_time === undefined ? null : Number(r.last_trace_time),
    description: (r.description as string | null) ?? null,
  };
}

// Per-experiment statistics come from the (experiment_id, request_time DESC, trace_id) index: the max is one
// index probe, the count an index-only scan.
const SUMMARY_SELECT = `
  SELECT e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time,
         s.trace_count, s.last_trace_time,
         (SELECT value FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = 'mlflow.note.content') AS description
    FROM experiments e
    CROSS JOIN LATERAL (
      SELECT (SELECT count(*) FROM traces t WHERE t.experiment_id = e.experiment_id) AS trace_count,
             (SELECT max(request_time) FROM traces t WHERE t.experiment_id = e.experiment_id) AS last_trace_time
    ) s`;

export async function listExperimentSummaries(
  opts: {
    q?: string;
    sort?: ExperimentSort;
    dir?: "asc" | "desc";
    limit?: number;
    /** which experiments the viewer may see (lib/auth experimentListFilter); null or absent = all */
    visible?: null | { include: string[] } | { exclude: string[] };
  } = {},
): Promise<ExperimentSummary[]> {
  const sort = SORT_SQL[opts.sort ?? "created"] ?? SORT_SQL.created;
  const dir = opts.dir === "asc" ? "ASC" : "DESC";
  const params: unknown[] = [];
  let where = "e.lifecycle_stage = 'active'";
  if (opts.q?.trim()) {
    params.push(`%${opts.q.trim().replace(/[\\%_]/g, (c) => "\\" + c)}%`);
    where += ` AND e.name ILIKE $${params.length}`;
  }
  if (opts.visible && "include" in opts.visible) {
    params.push(opts.visible.include);
    where += ` AND e.experiment_id = ANY($${params.length}::bigint[])`;
  } else if (opts.visible && "exclude" in opts.visible) {
    params.push(opts.visible.exclude);
    where += ` AND NOT (e.experiment_id = ANY($${params.length}::bigint[]))`;
  }
  params.push(Math.min(Math.max(opts.limit ?? 500, 1), 5000));
  const { rows } = await getPool().query(
    `${SUMMARY_SELECT} WHERE ${where} ORDER BY ${sort} ${dir} NULLS LAST, e.experiment_id ASC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toSummary);
}

export async function getExperimentSummary(experimentId: string): Promise<ExperimentSummary | null> {
  if (!isExperimentId(experimentId)) return null;
  const { rows } = await getPool().query(`${SUMMARY_SELECT} WHERE e.experiment_id = $1`, [experimentId]);
  return rows[0] ? toSummary(rows[0]) : null;
}

export interface ExperimentHeaderInfo {
  id: string;
  name: string;
  lifecycleStage: string;
  description: string | null;
  hasTraces: boolean;
}

/** What every experiment page shows in its header: cheap (an EXISTS, never a count). */
export async function getExperimentHeader(experimentId: string): Promise<ExperimentHeaderInfo | null> {
  if (!isExperimentId(experimentId)) return null;
  const { rows } = await getPool().query(
    `SELECT e.experiment_id, e.name, e.lifecycle_stage,
            (SELECT value FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = 'mlflow.note.content') AS description,
            EXISTS (SELECT 1 FROM traces t WHERE t.experiment_id = e.experiment_id) AS has_traces
       FROM experiments e WHERE e.experiment_id = $1`,
    [experimentId],
  );
  const r = rows[0];
  return r ? { id: String(r.experiment_id), name: r.name, lifecycleStage: r.lifecycle_stage, description: r.description, hasTraces: r.has_traces } : null;
}

export interface AssessmentView {
  assessmentId: string;
  name: string;
  kind: "feedback" | "expectation" | string;
  spanId: string | null;
  value: unknown;
  error: unknown;
  rationale: string | null;
  sourceType: string;
  sourceId: string | null;
  valid: boolean;
  createTime: number;
  lastUpdateTime: number;
}

export interface TraceHeader extends TraceFigures {
  experimentId: string;
  experimentName: string;
  clientRequestId: string | null;
  sessionId: string | null;
  requestPreview: string | null;
  responsePreview: string | null;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  assessments: AssessmentView[];
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function getTraceHeader(traceId: string): Promise<TraceHeader | null> {
  const pool = getPool();
  const [t, a] = await Promise.all([
    pool.query(
      `SELECT t.trace_id, t.experiment_id, e.name AS experiment_name, t.client_request_id, t.request_time, t.execution_duration,
              t.state, t.name, t.session_id, t.user_id, t.input_tokens, t.output_tokens, t.total_tokens, t.cost, t.span_count,
              t.error_count, t.request_preview, t.response_preview, t.trace_metadata, t.tags
         FROM traces t JOIN experiments e ON e.experiment_id = t.experiment_id
        WHERE t.trace_id = $1`,
      [traceId],
    ),
    pool.query(
      `SELECT assessment_id, name, kind, span_id, value, error, rationale, source_type, source_id, valid, create_time, last_update_time
         FROM assessments WHERE trace_id = $1 ORDER BY create_time, assessment_id`,
      [traceId],
    ),
  ]);
  const r = t.rows[0];
  if (!r) return null;
  return {
    traceId: r.trace_id,
    experimentId: String(r.experiment_id),
    experimentName: r.experiment_name,
    clientRequestId: r.client_request_id,
    requestTime: Number(r.request_time),
    executionDuration: num(r.execution_duration),
    state: r.state,
    name: r.name,
    sessionId: r.session_id,
    userId: r.user_id,
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    totalTokens: num(r.total_tokens),
    cost: num(r.cost),
    spanCount: Number(r.span_count),
    errorCount: Number(r.error_count),
    requestPreview: r.request_preview,
    responsePreview: r.response_preview,
    metadata: r.trace_metadata ?? {},
    tags: r.tags ?? {},
    assessments: a.rows.map((x) => ({
      assessmentId: x.assessment_id,
      name: x.name,
      kind: x.kind,
      spanId: x.span_id,
      value: x.value,
      error: x.error,
      rationale: x.rationale,
      sourceType: x.source_type,
      sourceId: x.source_id,
      valid: x.valid,
      createTime: Number(x.create_time),
      lastUpdateTime: Number(x.last_update_time),
    })),
  };
}

/**
 * A trace's spans without payloads, as parallel arrays in storage order (the browser sorts them and links
 * parents: components/traces/skeleton.ts). Times are ms relative to `baseNs` (the trace's request time) as
 * floats, so nothing needs bigint math. A 50k-span trace is ~4 MB of JSON.
 */
export interface RawSpanSkeleton {
  traceId: string;
  baseNs: string;
  ids: string[];
  parentIds: (string | null)[];
  names: string[];
  types: (string | null)[];
  starts: number[];
  ends: (number | null)[];
  status: string[];
}

// PostgreSQL writes the JSON itself (one row, one text value, one pass over the spans without a sort):
// decoding and re-encoding 50,000 rows in Node costs several times what the scan does.
const SKELETON_SQL = `
  SELECT json_build_object(
    'traceId', $1::text,
    'baseNs', b.base::text,
    'ids', coalesce(array_to_json(array_agg(s.span_id) FILTER (WHERE s.span_id IS NOT NULL)), '[]'),
    'parentIds', coalesce(array_to_json(array_agg(s.parent_span_id) FILTER (WHERE s.span_id IS NOT NULL)), '[]'),
    'names', coalesce(array_to_json(array_agg(s.name) FILTER (WHERE s.span_id IS NOT NULL)), '[]'),
    'types', coalesce(array_to_json(array_agg(s.span_type) FILTER (WHERE s.span_id IS NOT NULL)), '[]'),
    'starts', coalesce(array_to_json(array_agg((s.start_time_ns - b.base)::float8 / 1e6) FILTER (WHERE s.span_id IS NOT NULL)), '[]'),
    'ends', coalesce(array_to_json(array_agg((s.end_time_ns - b.base)::float8 / 1e6) FILTER (WHERE s.span_id IS NOT NULL)), '[]'),
    'status', coalesce(array_to_json(array_agg(s.status_code) FILTER (WHERE s.span_id IS NOT NULL)), '[]')
  )::text AS skeleton
  FROM (SELECT coalesce((SELECT request_time FROM traces WHERE trace_id = $1), 0)::bigint * 1000000 AS base) b
  LEFT JOIN spans s ON s.trace_id = $1
  GROUP BY b.base`;

/** The skeleton as JSON text (a RawSpanSkeleton), ready to send. */
export async function getSpanSkeletonJson(traceId: string): Promise<string> {
  const { rows } = await getPool().query(SKELETON_SQL, [traceId]);
  return rows[0].skeleton as string;
}

export interface SpanPayload {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  spanType: string | null;
  startTimeNs: string;
  endTimeNs: string | null;
  statusCode: string;
  statusMessage: string | null;
  attributes: Record<string, unknown>;
  events: { name: string; time_unix_nano?: string | number; attributes?: Record<string, unknown> }[];
  /** JSON text, cut at `limit` characters when longer (then `inputsSize` > inputs.length) */
  inputs: string | null;
  outputs: string | null;
  inputsSize: number;
  outputsSize: number;
}

/** One span with its payload. Values longer than `limit` characters are cut; ask again with a larger limit. */
export async function getSpanPayload(traceId: string, spanId: string, limit = 1_000_000): Promise<SpanPayload> {
  const { rows } = await getPool().query(
    `SELECT span_id, parent_span_id, name, span_type, start_time_ns::text AS start_ns, end_time_ns::text AS end_ns, status_code, status_message,
            attributes, events, left(inputs, $3) AS inputs, left(outputs, $3) AS outputs,
            coalesce(length(inputs), 0) AS inputs_size, coalesce(length(outputs), 0) AS outputs_size
       FROM spans WHERE trace_id = $1 AND span_id = $2`,
    [traceId, spanId, limit],
  );
  const r = rows[0];
  if (!r) throw notFound(`Span '${spanId}' not found in trace '${traceId}'`);
  return {
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    name: r.name,
    spanType: r.span_type,
    startTimeNs: r.start_ns,
    endTimeNs: r.end_ns,
    statusCode: r.status_code,
    statusMessage: r.status_message,
    attributes: r.attributes ?? {},
    events: Array.isArray(r.events) ? r.events : [],
    inputs: r.inputs,
    outputs: r.outputs,
    inputsSize: Number(r.inputs_size),
    outputsSize: Number(r.outputs_size),
  };
}

/** Span ids of a trace whose name, type, inputs, outputs or attributes contain `q` (case-insensitive). */
export async function searchSpansInTrace(traceId: string, q: string, limit = 5000): Promise<string[]> {
  const pattern = `%${q.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
  const { rows } = await getPool().query(
    `SELECT span_id FROM spans
      WHERE trace_id = $1
        AND (name ILIKE $2 OR span_type ILIKE $2 OR inputs ILIKE $2 OR outputs ILIKE $2 OR attributes::text ILIKE $2 OR events::text ILIKE $2)
      ORDER BY start_time_ns, span_id LIMIT $3`,
    [traceId, pattern, limit],
  );
  return rows.map((r) => r.span_id as string);
}

/**
 * What changed in an experiment since `sinceUpdatedAt` (the table's poll): how many traces were written and
 * the newest write time. One range scan on (experiment_id, updated_at).
 */
export async function tracesChangedSince(experimentId: string, sinceUpdatedAt: number): Promise<{ changed: number; latest: number | null }> {
  const { rows } = await getPool().query(
    `SELECT count(*)::int AS changed, max(updated_at) AS latest FROM traces WHERE experiment_id = $1 AND updated_at > $2`,
    [experimentId, sinceUpdatedAt],
  );
  return { changed: rows[0].changed, latest: rows[0].latest === null ? null : Number(rows[0].latest) };
}

/** The newest write time of an experiment's traces (the table's poll baseline). */
export async function latestTraceUpdate(experimentId: string): Promise<number> {
  const { rows } = await getPool().query(`SELECT max(updated_at) AS latest FROM traces WHERE experiment_id = $1`, [experimentId]);
  return rows[0].latest === null ? 0 : Number(rows[0].latest);
}

// ---------------------------------------------------------------------------------------------------------
// The traces table: lib/search does the filtering and keyset paging; this adapts its rows to what the table
// shows and adds the table's time-range quick filter.

/** A row of the traces table. Each registry column arrives under its `listKey` (these are today's); a
 *  column added to the registry arrives too, read generically by components/traces/traceColumns.tsx. */
export interface TraceListRow {
  traceId: string;
  requestTime: number;
  executionDuration: number | null;
  state: string;
  name: string | null;
  requestPreview: string | null;
  responsePreview: string | null;
  sessionId: string | null;
  userId: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  spanCount: number;
  errorCount: number;
  tags: Record<string, string>;
}

/** An order_by key of the table's sorting headers (the registry's TRACE_ORDER_KEYS). */
export type TraceOrderKey = (typeof TRACE_ORDER_KEYS)[number];

export interface TraceListQuery {
  experimentId: string;
  /** the search box: MLflow filter grammar */
  filter?: string;
  /** "<key> ASC|DESC" with key in the registry's TRACE_ORDER_KEYS */
  order?: string;
  /** a TIME_RANGES key (lib/search/timeRanges.ts) */
  range?: string;
  pageToken?: string;
  size?: number;
  /** fixed "now" for the time range, so a page and its count agree */
  now?: number;
}

export function parseOrder(order: string | undefined): { key: TraceOrderKey; desc: boolean } {
  const [k, d] = (order ?? "").trim().split(/\s+/);
  const key = TRACE_ORDER_KEYS.includes(k) ? k : "timestamp_ms";
  return { key, desc: d ? d.toUpperCase() !== "ASC" : true };
}

/**
 * The filter handed to search: the user's text AND the time range. The user's text is checked on its own
 * first, so an error's column points into what the user typed, not into the combined string.
 */
function effectiveFilter(q: TraceListQuery): string {
  const user = (q.filter ?? "").trim();
  const range = findTimeRange(q.range);
  if (!range) return user;
  if (user) compileTraceFilter(parseFilter(user), new SqlParams());
  const clause = `trace.timestamp_ms >= ${(q.now ?? Date.now()) - range.ms}`;
  return user ? `(${user}) AND ${clause}` : clause;
}

// Besides the registry's columns, a table row carries what its cells and bulk actions read: the tokens
// cell's in/out split and the error count.
const LIST_EXTRAS: Record<string, { sql: string; numeric: boolean }> = {
  traceId: { sql: "t.trace_id", numeric: false },
  tags: { sql: "t.tags", numeric: false },
  inputTokens: { sql: "t.input_tokens", numeric: true },
  outputTokens: { sql: "t.output_tokens", numeric: true },
  errorCount: { sql: "t.error_count", numeric: true },
};
const LIST_FIELDS: Record<string, { sql: string; numeric: boolean }> = {
  ...LIST_EXTRAS,
  ...Object.fromEntries(TRACE_COLUMNS.flatMap((c) => (c.sql ? [[c.listKey, { sql: c.sql, numeric: c.sqlType !== "text" }]] : []))),
};
const LIST_SELECT = Object.entries(LIST_FIELDS)
  .map(([k, f]) => `${f.sql} AS "${k}"`)
  .join(", ");
// int8 and numeric arrive from pg as strings
const NUMERIC_KEYS = Object.keys(LIST_FIELDS).filter((k) => LIST_FIELDS[k].numeric);

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toListRow(raw: Record<string, unknown>): TraceListRow {
  const row: Record<string, unknown> = { ...raw, tags: raw.tags ?? {} };
  for (const k of NUMERIC_KEYS) row[k] = numOrNull(raw[k]);
  return row as unknown as TraceListRow;
}

/** One page of the traces table; each row has a property per registry column (its listKey). */
export async function listTracesForUi(q: TraceListQuery): Promise<{ rows: TraceListRow[]; nextPageToken: string | null }> {
  const filter = effectiveFilter(q);
  const { key, desc } = parseOrder(q.order);
  const res = await searchTraceRecords(
    {
      experimentIds: [q.experimentId],
      filter: filter || undefined,
      orderBy: [`${key} ${desc ? "DESC" : "ASC"}`],
      maxResults: Math.min(Math.max(q.size ?? 50, 1), 500),
      pageToken: q.pageToken || undefined,
    },
    LIST_SELECT,
  );
  return { rows: res.rows.map(toListRow), nextPageToken: res.nextPageToken ?? null };
}

export async function countTracesForUi(q: TraceListQuery): Promise<number> {
  const filter = effectiveFilter(q);
  return Number(await countTraces({ experimentIds: [q.experimentId], filter: filter || undefined }));
}

/** The traces just newer and just older than `traceId` in its experiment (request time order). */
export async function getNeighborTraceIds(experimentId: string, traceId: string, requestTime: number): Promise<{ newer: string | null; older: string | null }> {
  const pool = getPool();
  const [newer, older] = await Promise.all([
    pool.query(
      `SELECT trace_id FROM traces WHERE experiment_id = $1 AND (request_time, trace_id) > ($2, $3) ORDER BY request_time, trace_id LIMIT 1`,
      [experimentId, requestTime, traceId],
    ),
    pool.query(
      `SELECT trace_id FROM traces WHERE experiment_id = $1 AND (request_time, trace_id) < ($2, $3) ORDER BY request_time DESC, trace_id DESC LIMIT 1`,
      [experimentId, requestTime, traceId],
    ),
  ]);
  return { newer: newer.rows[0]?.trace_id ?? null, older: older.rows[0]?.trace_id ?? null };
}
