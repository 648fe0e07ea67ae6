// The trace store's write side: ingestSpans (OTLP, traces.json) and upsertTraceInfo (StartTraceV3, v2
// StartTrace/EndTrace). Both are idempotent and commutative: any order, any repetition, same rows.
//
// Span row format (other modules read `spans` directly; keep it):
//   trace_id        "tr-" + 32 hex          span_id / parent_span_id   16 hex (parent NULL for a root)
//   experiment_id   the experiment of the request that wrote it
//   name            span name               span_type    decoded mlflow.spanType, or the §9.6-derived type,
//                                                        or "UNKNOWN"
//   start_time_ns / end_time_ns   epoch ns (end NULL while the span runs)
//   status_code     OK | ERROR | UNSET      status_message  text or NULL
//   attributes      jsonb object: every attribute except mlflow.spanInputs / mlflow.spanOutputs, values
//                   decoded ("try JSON.parse, else raw"), plus the keys derivation filled in
//                   (mlflow.spanType, mlflow.chat.tokenUsage as an object, mlflow.llm.model, …)
//   inputs / outputs  JSON text of the decoded mlflow.spanInputs / mlflow.spanOutputs value (or of what
//                   derivation took from a convention), NULL when absent
//   events          jsonb [{"name", "time_unix_nano": "<decimal string>", "attributes": {…}}]
//
// Write path, one transaction per call (why: shared/limits.md). A transaction advisory lock per touched trace
// (taken in trace-id order, so requests sharing traces serialize and cannot deadlock) makes the
// read-modify-write of the trace row exact; the experiment is checked inside the same round trip.
//   - up to 64 spans (the Python client sends one per request): ONE round trip: lock, INSERT … VALUES … ON
//     CONFLICT (trace_id, span_id) DO UPDATE, trace upsert, COMMIT;
//   - larger batches: lock; COPY straight into `spans` (if a span is already stored, 23505, the transaction
//     is redone with a DELETE of the batch's keys first); trace upsert; COMMIT.
// The trace upsert writes each touched trace row once per request (so the summary triggers on `traces`
// run once), with span_count/error_count and token/cost totals recomputed from the trace's span rows: that
// is what makes repeated and out-of-order delivery converge. No per-span round trips.
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { getPool } from "../db";
import { ApiError, invalidParameter, notFound } from "../errors";
import { ATTR, deriveSpan, previewOf, sessionOf, traceTagsOf, userOf } from "../tracing/derive";
import type { NormalizedSpan, TraceState } from "../tracing/model";

export const SPANS_LOCATION_TAG = "mlflow.trace.spansLocation";
export const ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation";
export const TRACE_NAME_TAG = "mlflow.traceName";
export const SESSION_METADATA = "mlflow.trace.session";
export const USER_METADATA = "mlflow.trace.user";
export const TOKEN_USAGE_METADATA = "mlflow.trace.tokenUsage";
export const COST_METADATA = "mlflow.trace.cost";

const SPAN_COLUMNS =
  "trace_id, span_id, parent_span_id, experiment_id, name, span_type, start_time_ns, end_time_ns, status_code, status_message, attributes, inputs, outputs, events";

// ------------------------------------------------------------------ helpers

/** SQL literal for the simple-query protocol; an E'' string reads the same whatever standard_conforming_strings says. */
function lit(v: string | null | undefined): string {
  if (v === null || v === undefined) return "NULL";
  const s = stripNul(v);
  return s.indexOf("\\") >= 0 ? "E'" + s.replace(/\\/g, "\\\\").replace(/'/g, "''") + "'" : "'" + s.replace(/'/g, "''") + "'";
}

function stripNul(s: string): string {
  return s.indexOf("\0") >= 0 ? s.replace(/\0/g, "") : s;
}

/** JSON text; bigint values (none come from the decoders, but callers may build spans) as digits. */
function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "null";
  } catch {
    return JSON.stringify(v, bigintReplacer) ?? "null";
  }
}

/** jsonb cannot hold \u0000; JSON.stringify writes NUL characters as that escape. */
function safeJson(v: unknown): string {
  const s = jsonText(v);
  return s.indexOf("\\u0000") >= 0 ? s.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, "$1\\ufffd") : s;
}

function bigintReplacer(_k: string, v: unknown) {
  return typeof v === "bigint" ? v.toString() : v;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
function copyText(s: string): string {
  if (!COPY_SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

function validExperimentId(experimentId: string): string {
  const id = String(experimentId ?? "").trim();
  if (!/^\d{1,18}$/.test(id)) throw notFound(`Experiment with id '${experimentId}' does not exist.`);
  return id;
}

interface ExperimentRow {
  artifact_location: string;
  lifecycle_stage: string;
}

function checkExperiment(experimentId: string, row: ExperimentRow | undefined): ExperimentRow {
  if (!row) throw notFound(`Experiment with id '${experimentId}' does not exist.`);
  if (row.lifecycle_stage !== "active") {
    throw invalidParameter(`The experiment '${experimentId}' must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
  }
  return row;
}

export function artifactLocationFor(experimentArtifactLocation: string, traceId: string): string {
  return `${experimentArtifactLocation.replace(/\/+$/, "")}/traces/${traceId}/artifacts`;
}

// ------------------------------------------------------------------ span rows

/** The column values of a span row (derivation already applied); null is SQL NULL. */
function spanFields(experimentId: string, s: NormalizedSpan): (string | null)[] {
  const a = s.attributes;
  const inputs = a[ATTR.inputs];
  const outputs = a[ATTR.outputs];
  // JSON.stringify skips undefined members: cheaper than copying the object without the two keys.
  if (inputs !== undefined) a[ATTR.inputs] = undefined;
  if (outputs !== undefined) a[ATTR.outputs] = undefined;
  const attrs = safeJson(a);
  if (inputs !== undefined) a[ATTR.inputs] = inputs;
  if (outputs !== undefined) a[ATTR.outputs] = outputs;
  const type = a[ATTR.spanType];
  const events = s.events.length ? safeJson(s.events.map((e) => ({ name: e.name, time_unix_nano: e.timeNs.toString(), attributes: e.attributes }))) : "[]";
  return [
    s.traceId,
    s.spanId,
    s.parentSpanId,
    experimentId,
    stripNul(s.name),
    typeof type === "string" && type !== "" ? stripNul(type) : "UNKNOWN",
    s.startTimeNs.toString(),
    s.endTimeNs === null ? null : s.endTimeNs.toString(),
    s.status.code,
    s.status.message ? stripNul(s.status.message) : null,
    attrs,
    inputs === undefined ? null : stripNul(jsonText(inputs)),
    outputs === undefined ? null : stripNul(jsonText(outputs)),
    events,
  ];
}

/** One COPY text line. */
function spanRow(experimentId: string, s: NormalizedSpan): string {
  const f = spanFields(experimentId, s);
  let line = "";
  for (let i = 0; i < f.length; i++) {
    const v = f[i];
    line += (i ? "\t" : "") + (v === null ? "\\N" : copyText(v));
  }
  return line + "\n";
}

const SPAN_UPDATE_SET = SPAN_COLUMNS.split(", ")
  .filter((c) => c !== "trace_id" && c !== "span_id")
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(", ");

const SPAN_CASTS = ["", "", "", "::bigint", "", "", "::bigint", "::bigint", "", "", "::jsonb", "", "", "::jsonb"];

/** One VALUES tuple (small batches: one round trip instead of a COPY). */
function spanTuple(experimentId: string, s: NormalizedSpan): string {
  const f = spanFields(experimentId, s);
  return "(" + f.map((v, i) => (v === null ? "NULL" : lit(v)) + SPAN_CASTS[i]).join(",") + ")";
}

/**
 * The COPY text of span rows exactly as ingestSpans writes them (derivation applied in place). For the
 * benchmark's raw-COPY ceiling and for tools that bulk-load spans.
 */
export function spanCopyRows(experimentId: string, spans: NormalizedSpan[]): string {
  let rows = "";
  for (const s of spans) rows += spanRow(experimentId, deriveSpan(s));
  return rows;
}

export async function copySpans(client: PoolClient, rows: string): Promise<void> {
  const stream = client.query(copyFrom(`COPY spans (${SPAN_COLUMNS}) FROM STDIN`));
  await new Promise<void>((resolve, reject) => {
    stream.on("error", reject);
    stream.on("finish", resolve);
    stream.end(rows);
  });
}

// ------------------------------------------------------------------ trace rows from a batch

interface TraceBatch {
  traceId: string;
  minStartNs: bigint;
  maxEndNs: bigint | null;
  root: NormalizedSpan | null;
  spans: NormalizedSpan[];
  tags: Record<string, string>;
  metadata: Record<string, string>;
}

function groupByTrace(spans: NormalizedSpan[]): TraceBatch[] {
  const byTrace = new Map<string, TraceBatch>();
  for (const s of spans) {
    let t = byTrace.get(s.traceId);
    if (!t) {
      t = { traceId: s.traceId, minStartNs: s.startTimeNs, maxEndNs: null, root: null, spans: [], tags: {}, metadata: {} };
      byTrace.set(s.traceId, t);
    }
    t.spans.push(s);
    if (s.startTimeNs < t.minStartNs) t.minStartNs = s.startTimeNs;
    if (s.endTimeNs !== null && (t.maxEndNs === null || s.endTimeNs > t.maxEndNs)) t.maxEndNs = s.endTimeNs;
    if (s.parentSpanId === null) t.root = s;
  }
  for (const t of byTrace.values()) {
    // a span re-sent within one batch: the last copy wins, as it would across requests
    if (t.spans.length > 1) {
      const seen = new Map<string, NormalizedSpan>();
      for (const s of t.spans) seen.set(s.spanId, s);
      if (seen.size !== t.spans.length) t.spans = [...seen.values()];
    }
    for (const s of t.spans) traceTagsOf(s.attributes, t.tags);
    // session and user: the root span decides; children (OpenInference puts session.id on every span) fill in
    const ordered = t.root ? [t.root, ...t.spans] : t.spans;
    for (const s of ordered) {
      if (!t.metadata[SESSION_METADATA]) {
        const v = sessionOf(s.attributes);
        if (v) t.metadata[SESSION_METADATA] = v;
      }
      if (!t.metadata[USER_METADATA]) {
        const v = userOf(s.attributes);
        if (v) t.metadata[USER_METADATA] = v;
      }
    }
    if (t.root) t.tags[TRACE_NAME_TAG] = t.root.name;
  }
  return [...byTrace.values()].sort((a, b) => (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
}

const nsToMs = (ns: bigint) => ns / 1_000_000n;

function traceValuesRow(t: TraceBatch): string {
  const root = t.root;
  const state: TraceState = root ? (root.status.code === "ERROR" ? "ERROR" : "OK") : "IN_PROGRESS";
  const reqPreview = root ? previewOf(root.attributes[ATTR.inputs], "user") : null;
  const respPreview = root ? previewOf(root.attributes[ATTR.outputs], "assistant") : null;
  return (
    "(" +
    [
      lit(t.traceId),
      nsToMs(t.minStartNs).toString() + "::bigint",
      t.maxEndNs === null ? "NULL::bigint" : nsToMs(t.maxEndNs).toString() + "::bigint",
      lit(state),
      root ? lit(root.spanId) : "NULL::text",
      lit(reqPreview) + "::text",
      lit(respPreview) + "::text",
      lit(safeJson(t.metadata)) + "::jsonb",
      lit(safeJson(t.tags)) + "::jsonb",
    ].join(",") +
    ")"
  );
}

// Up to this many spans go in as VALUES in the same round trip as the rest; more go by COPY.
const SMALL_BATCH_SPANS = 64;
const EXPERIMENT_MISSING = "flowtrace: experiment does not exist";
const EXPERIMENT_INACTIVE = "flowtrace: experiment is ";

/** Fails the transaction unless the experiment exists and is active (no extra round trip to check first). */
function experimentCheckSql(expId: string): string {
  return `DO $check$ DECLARE st text; BEGIN
    SELECT lifecycle_stage INTO st FROM experiments WHERE experiment_id = ${expId};
    IF NOT FOUND THEN RAISE EXCEPTION '${EXPERIMENT_MISSING}' USING ERRCODE = 'P0002'; END IF;
    IF st <> 'active' THEN RAISE EXCEPTION '${EXPERIMENT_INACTIVE}%', st USING ERRCODE = 'P0001'; END IF;
  END $check$`;
}

const idList = (batches: TraceBatch[]) => batches.map((b) => lit(b.traceId)).join(",");

/**
 * Serializes writers of the same traces for the rest of the transaction (taken in trace-id order, so two
 * requests sharing traces cannot deadlock). Cheaper than locking trace rows early: the trace row is then
 * written once per request, after the spans, with counts and totals computed from the span rows.
 */
function lockTracesSql(batches: TraceBatch[]): string {
  return `SELECT count(pg_advisory_xact_lock(hashtextextended(id, 7217))) FROM (SELECT unnest(ARRAY[${idList(batches)}]::text[]) AS id ORDER BY 1) ids`;
}

function deleteSpansSql(batches: TraceBatch[]): string {
  const pairs = batches.flatMap((b) => b.spans.map((s) => `(${lit(b.traceId)},${lit(s.spanId)})`)).join(",");
  return `DELETE FROM spans WHERE trace_id IN (${idList(batches)}) AND (trace_id, span_id) IN (VALUES ${pairs})`;
}

// Span-derived figures of the touched traces, recomputed from all their span rows (this request's included),
// so repeated and out-of-order delivery give the same counts and totals.
function aggregateSubquery(batches: TraceBatch[]): string {
  const num = (path: string, key: string) =>
    `sum(CASE WHEN jsonb_typeof(s.attributes->'${path}'->'${key}') = 'number' THEN (s.attributes->'${path}'->>'${key}')::numeric END)`;
  return `SELECT s.trace_id,
        count(*)::int AS n,
        (count(*) FILTER (WHERE s.status_code = 'ERROR'))::int AS errors,
        count(*) FILTER (WHERE s.attributes ? '${ATTR.tokenUsage}') AS token_spans,
        COALESCE(round(${num(ATTR.tokenUsage, "input_tokens")}), 0)::bigint AS input_tokens,
        COALESCE(round(${num(ATTR.tokenUsage, "output_tokens")}), 0)::bigint AS output_tokens,
        COALESCE(round(${num(ATTR.tokenUsage, "total_tokens")}), 0)::bigint AS total_tokens,
        count(*) FILTER (WHERE s.attributes ? '${ATTR.cost}') AS cost_spans,
        COALESCE(${num(ATTR.cost, "input_cost")}, 0)::float8 AS input_cost,
        COALESCE(${num(ATTR.cost, "output_cost")}, 0)::float8 AS output_cost,
        COALESCE(${num(ATTR.cost, "total_cost")}, 0)::float8 AS total_cost
      FROM spans s WHERE s.trace_id IN (${idList(batches)})
      GROUP BY s.trace_id`;
}

// The merged tags/metadata of an ON CONFLICT update: values StartTraceV3 wrote (info_finalized) win over
// derived ones; otherwise the newest derivation wins. Repeated in SET so derived columns match the jsonb.
const MERGED_META = "(CASE WHEN t.info_finalized THEN EXCLUDED.trace_metadata || t.trace_metadata ELSE t.trace_metadata || EXCLUDED.trace_metadata END)";
const MERGED_TAGS =
  "(CASE WHEN t.info_finalized THEN EXCLUDED.tags || t.tags ELSE t.tags || EXCLUDED.tags END || jsonb_build_object('mlflow.trace.spansLocation', 'TRACKING_STORE'))";
const CLIENT_TOKENS = `(t.info_finalized AND t.trace_metadata ? '${TOKEN_USAGE_METADATA}')`;
const CLIENT_COST = `(t.info_finalized AND t.trace_metadata ? '${COST_METADATA}')`;

function upsertTracesSql(experimentId: string, batches: TraceBatch[], nowMs: number): string {
  return `INSERT INTO traces AS t (trace_id, experiment_id, request_time, end_time, execution_duration, state, root_span_id,
      request_preview, response_preview, name, session_id, user_id, trace_metadata, tags,
      span_count, error_count, input_tokens, output_tokens, total_tokens, cost, updated_at)
    SELECT v.trace_id, e.experiment_id, v.start_ms, v.end_ms, v.end_ms - v.start_ms, v.state, v.root_span_id,
      v.request_preview, v.response_preview, v.tags->>'${TRACE_NAME_TAG}', v.meta->>'${SESSION_METADATA}', v.meta->>'${USER_METADATA}',
      v.meta
        || CASE WHEN a.token_spans > 0 THEN jsonb_build_object('${TOKEN_USAGE_METADATA}',
             format('{"input_tokens": %s, "output_tokens": %s, "total_tokens": %s}', a.input_tokens, a.output_tokens, a.total_tokens)) ELSE '{}'::jsonb END
        || CASE WHEN a.cost_spans > 0 THEN jsonb_build_object('${COST_METADATA}',
             format('{"input_cost": %s, "output_cost": %s, "total_cost": %s}', a.input_cost, a.output_cost, a.total_cost)) ELSE '{}'::jsonb END,
      v.tags || jsonb_build_object('${ARTIFACT_LOCATION_TAG}', rtrim(e.artifact_location, '/') || '/traces/' || v.trace_id || '/artifacts',
                                   '${SPANS_LOCATION_TAG}', 'TRACKING_STORE'),
      COALESCE(a.n, 0), COALESCE(a.errors, 0),
      CASE WHEN a.token_spans > 0 THEN a.input_tokens END,
      CASE WHEN a.token_spans > 0 THEN a.output_tokens END,
      CASE WHEN a.token_spans > 0 THEN a.total_tokens END,
      CASE WHEN a.cost_spans > 0 THEN a.total_cost END,
      ${nowMs}
    FROM (VALUES ${batches.map(traceValuesRow).join(",\n")})
      AS v(trace_id, start_ms, end_ms, state, root_span_id, request_preview, response_preview, meta, tags)
    JOIN experiments e ON e.experiment_id = ${experimentId} AND e.lifecycle_stage = 'active'
    LEFT JOIN (${aggregateSubquery(batches)}) a ON a.trace_id = v.trace_id
    ORDER BY v.trace_id
    ON CONFLICT (trace_id) DO UPDATE SET
      request_time = CASE WHEN t.info_finalized THEN t.request_time ELSE LEAST(t.request_time, EXCLUDED.request_time) END,
      end_time = CASE WHEN t.info_finalized AND t.execution_duration IS NOT NULL THEN t.end_time ELSE GREATEST(t.end_time, EXCLUDED.end_time) END,
      execution_duration = CASE WHEN t.info_finalized AND t.execution_duration IS NOT NULL THEN t.execution_duration
        ELSE GREATEST(t.end_time, EXCLUDED.end_time) - CASE WHEN t.info_finalized THEN t.request_time ELSE LEAST(t.request_time, EXCLUDED.request_time) END END,
      state = CASE WHEN EXCLUDED.root_span_id IS NOT NULL AND t.state IN ('IN_PROGRESS', 'STATE_UNSPECIFIED') THEN EXCLUDED.state ELSE t.state END,
      root_span_id = COALESCE(EXCLUDED.root_span_id, t.root_span_id),
      request_preview = CASE WHEN t.info_finalized THEN COALESCE(t.request_preview, EXCLUDED.request_preview) ELSE COALESCE(EXCLUDED.request_preview, t.request_preview) END,
      response_preview = CASE WHEN t.info_finalized THEN COALESCE(t.response_preview, EXCLUDED.response_preview) ELSE COALESCE(EXCLUDED.response_preview, t.response_preview) END,
      trace_metadata = ${MERGED_META},
      tags = ${MERGED_TAGS},
      name = ${MERGED_TAGS}->>'${TRACE_NAME_TAG}',
      session_id = ${MERGED_META}->>'${SESSION_METADATA}',
      user_id = ${MERGED_META}->>'${USER_METADATA}',
      span_count = EXCLUDED.span_count,
      error_count = EXCLUDED.error_count,
      input_tokens = CASE WHEN ${CLIENT_TOKENS} THEN t.input_tokens ELSE EXCLUDED.input_tokens END,
      output_tokens = CASE WHEN ${CLIENT_TOKENS} THEN t.output_tokens ELSE EXCLUDED.output_tokens END,
      total_tokens = CASE WHEN ${CLIENT_TOKENS} THEN t.total_tokens ELSE EXCLUDED.total_tokens END,
      cost = CASE WHEN ${CLIENT_COST} THEN t.cost ELSE EXCLUDED.cost END,
      updated_at = EXCLUDED.updated_at`;
}

// ------------------------------------------------------------------ public API

/**
 * Stores spans of any number of traces into one experiment, in one transaction. Spans are derived (§9.6)
 * in place first. Re-sent spans replace their earlier copy. Throws ApiError RESOURCE_DOES_NOT_EXIST for an
 * unknown experiment, INVALID_PARAMETER_VALUE for a deleted one; nothing is stored then.
 */
export async function ingestSpans(experimentId: string, spans: NormalizedSpan[]): Promise<{ traces: number; spans: number }> {
  const expId = validExperimentId(experimentId);
  if (spans.length === 0) {
    const r = await getPool().query<ExperimentRow>("SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = $1", [expId]);
    checkExperiment(experimentId, r.rows[0]);
    return { traces: 0, spans: 0 };
  }
  for (const s of spans) deriveSpan(s);
  const batches = groupByTrace(spans);
  let spanCount = 0;
  for (const b of batches) spanCount += b.spans.length;
  const small = spanCount <= SMALL_BATCH_SPANS;
  const head = `BEGIN; ${experimentCheckSql(expId)}; ${lockTracesSql(batches)}`;
  const client = await getPool().connect();
  let inTx = false;
  try {
    inTx = true;
    if (small) {
      // the Python client's one-span requests: everything in one round trip; re-sent spans replace
      const tuples = batches.flatMap((b) => b.spans.map((s) => spanTuple(expId, s))).join(",");
      await client.query(
        `${head}; INSERT INTO spans AS s (${SPAN_COLUMNS}) VALUES ${tuples} ON CONFLICT (trace_id, span_id) DO UPDATE SET ${SPAN_UPDATE_SET}; ` +
          `${upsertTracesSql(expId, batches, Date.now())}; COMMIT`,
      );
    } else {
      let rows = "";
      for (const b of batches) for (const s of b.spans) rows += spanRow(expId, s);
      // Fresh spans are the rule: COPY straight in, and only when a span is already stored (23505) do it
      // again with a DELETE of the batch's keys first. The trace locks make the retry race-free.
      await client.query(head);
      try {
        await copySpans(client, rows);
      } catch (err) {
        if ((err as { code?: string }).code !== "23505") throw err;
        await client.query(`ROLLBACK; ${head}; ${deleteSpansSql(batches)}`);
        await copySpans(client, rows);
      }
      await client.query(`${upsertTracesSql(expId, batches, Date.now())}; COMMIT`);
    }
    inTx = false;
    return { traces: batches.length, spans: spanCount };
  } catch (err) {
    if (inTx) await client.query("ROLLBACK").catch(() => {});
    const msg = (err as Error).message ?? "";
    if (msg === EXPERIMENT_MISSING) throw notFound(`Experiment with id '${experimentId}' does not exist.`);
    if (msg.startsWith(EXPERIMENT_INACTIVE)) {
      throw invalidParameter(`The experiment '${experimentId}' must be in the 'active' state. Current state is ${msg.slice(EXPERIMENT_INACTIVE.length)}.`);
    }
    throw translateDbError(err);
  } finally {
    client.release();
  }
}

function translateDbError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  const e = err as { code?: string; message?: string };
  // invalid text for jsonb, bad UTF-8 and the like: the client's data, not our failure
  if (e.code && /^(22|23)/.test(e.code)) return invalidParameter(`Cannot store spans: ${e.message}`);
  return err;
}

export interface TraceInfoInput {
  traceId: string;
  experimentId: string;
  clientRequestId?: string | null;
  requestTimeMs: number;
  executionDurationMs?: number | null;
  state: TraceState;
  requestPreview?: string | null;
  responsePreview?: string | null;
  metadata: Record<string, string>;
  tags: Record<string, string>;
}

function parseTokenUsage(text: string | undefined): { input: number | null; output: number | null; total: number | null } | null {
  if (!text) return null;
  try {
    const u = JSON.parse(text) as Record<string, unknown>;
    const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? Math.round(v) : null);
    const input = n(u.input_tokens);
    const output = n(u.output_tokens);
    const total = n(u.total_tokens) ?? (input !== null && output !== null ? input + output : null);
    return { input, output, total };
  } catch {
    return null;
  }
}

function parseCost(text: string | undefined): number | null {
  if (!text) return null;
  try {
    const c = JSON.parse(text) as Record<string, unknown>;
    return typeof c.total_cost === "number" ? c.total_cost : null;
  } catch {
    return null;
  }
}

/**
 * StartTraceV3 (and v2 StartTrace/EndTrace): creates the trace row or merges into the one OTLP spans
 * created. The given trace-info fields win; spans, tags and metadata already stored are kept (union);
 * the spans-location tag stays while spans are held. Adds the mlflow.artifactLocation tag.
 */
export async function upsertTraceInfo(info: TraceInfoInput): Promise<void> {
  const expId = validExperimentId(info.experimentId);
  const pool = getPool();
  const exp = await pool.query<ExperimentRow>("SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = $1", [expId]);
  const row = checkExperiment(info.experimentId, exp.rows[0]);
  const tags: Record<string, string> = { ...info.tags, [ARTIFACT_LOCATION_TAG]: artifactLocationFor(row.artifact_location, info.traceId) };
  // the server decides where spans are; a client value would make readers look in the wrong place
  delete tags[SPANS_LOCATION_TAG];
  const metadata = { ...info.metadata };
  const tokens = parseTokenUsage(metadata[TOKEN_USAGE_METADATA]);
  const cost = parseCost(metadata[COST_METADATA]);
  const duration = info.executionDurationMs ?? null;
  await pool.query(
    `INSERT INTO traces AS t (trace_id, experiment_id, client_request_id, request_time, execution_duration, end_time, state,
        request_preview, response_preview, trace_metadata, tags, name, session_id, user_id,
        input_tokens, output_tokens, total_tokens, cost, info_finalized, updated_at)
     VALUES ($1, $2, $3, $4, $5, $4::bigint + $5::bigint, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15, $16, $17, true, $18)
     ON CONFLICT (trace_id) DO UPDATE SET
       client_request_id = COALESCE(EXCLUDED.client_request_id, t.client_request_id),
       request_time = EXCLUDED.request_time,
       execution_duration = COALESCE(EXCLUDED.execution_duration, t.execution_duration),
       end_time = COALESCE(EXCLUDED.end_time, t.end_time),
       state = CASE WHEN EXCLUDED.state IN ('IN_PROGRESS', 'STATE_UNSPECIFIED') AND t.state NOT IN ('IN_PROGRESS', 'STATE_UNSPECIFIED')
                    THEN t.state ELSE EXCLUDED.state END,
       request_preview = COALESCE(EXCLUDED.request_preview, t.request_preview),
       response_preview = COALESCE(EXCLUDED.response_preview, t.response_preview),
       trace_metadata = t.trace_metadata || EXCLUDED.trace_metadata,
       tags = t.tags || EXCLUDED.tags,
       name = COALESCE(EXCLUDED.name, t.name),
       session_id = COALESCE(EXCLUDED.session_id, t.session_id),
       user_id = COALESCE(EXCLUDED.user_id, t.user_id),
       input_tokens = CASE WHEN EXCLUDED.trace_metadata ? '${TOKEN_USAGE_METADATA}' THEN EXCLUDED.input_tokens ELSE t.input_tokens END,
       output_tokens = CASE WHEN EXCLUDED.trace_metadata ? '${TOKEN_USAGE_METADATA}' THEN EXCLUDED.output_tokens ELSE t.output_tokens END,
       total_tokens = CASE WHEN EXCLUDED.trace_metadata ? '${TOKEN_USAGE_METADATA}' THEN EXCLUDED.total_tokens ELSE t.total_tokens END,
       cost = CASE WHEN EXCLUDED.trace_metadata ? '${COST_METADATA}' THEN EXCLUDED.cost ELSE t.cost END,
       info_finalized = true,
       updated_at = EXCLUDED.updated_at`,
    [
      info.traceId,
      expId,
      info.clientRequestId ?? null,
      Math.trunc(info.requestTimeMs),
      duration === null ? null : Math.trunc(duration),
      info.state,
      info.requestPreview ?? null,
      info.responsePreview ?? null,
      safeJson(metadata),
      safeJson(tags),
      tags[TRACE_NAME_TAG] ?? null,
      metadata[SESSION_METADATA] ?? null,
      metadata[USER_METADATA] ?? null,
      tokens?.input ?? null,
      tokens?.output ?? null,
      tokens?.total ?? null,
      cost,
      Date.now(),
    ],
  );
}
