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
// Write path (why: shared/limits.md). Requests waiting at the same moment are written together, in one
// transaction (group commit, see "group commit" below). A transaction advisory lock per touched trace (taken
// in trace-id order, so writes sharing traces serialize and cannot deadlock) makes the read-modify-write of
// the trace row exact. The SQL lives in functions (migration 20261125140000_ingest_functions), planned once
// per connection:
//   - up to SMALL_WRITE_SPANS spans: ONE round trip, an autocommit `SELECT flowtrace_ingest(…)` with the
//     rows as arrays (check experiments, lock, INSERT … ON CONFLICT replacing re-sent spans, trace rows);
//   - larger writes: BEGIN; check + lock; COPY straight into `spans` (if a span is already stored, 23505,
//     the transaction is redone with a DELETE of the write's keys first); flowtrace_upsert_traces; COMMIT.
// Each touched trace row is written once per write. A trace new to the database gets the span count, error
// count and token/cost totals computed here from the write's spans (exact decimal sums, as SQL would); a
// trace already stored gets them recomputed from all its span rows: that is what makes repeated and
// out-of-order delivery converge. No per-span round trips. Text and JSON arrays go in PostgreSQL's binary
// array format (./pg-binary.ts). StartTraceV3 upserts go through the same group-commit writer (one multi-row
// statement for them, in the same transaction as the spans waiting with them: see upsertTraceInfo).
import type { Pool, PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { getIngestPool } from "../db";
import { ApiError, invalidParameter, notFound } from "../errors";
import { binaryTextArray, JSONB_OID, TEXT_OID } from "./pg-binary";
import { ATTR, deriveSpan, previewOf, sessionOf, traceTagsOf, userOf } from "../tracing/derive";
import type { NormalizedSpan, TraceState } from "../tracing/model";
import { jsonSourceOf } from "../tracing/values";
import { TRACE_INFO_COLUMNS, type StoredTraceInfo } from "./traces";

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

function stripNul(s: string): string {
  return s.indexOf("\0") >= 0 ? s.replace(/\0/g, "") : s;
}

/**
 * JSON text: the text a decoded attribute value was parsed from when there is one, else serialized; bigint
 * values (none come from the decoders, but callers may build spans) as digits.
 */
function jsonText(v: unknown): string {
  const src = jsonSourceOf(v);
  if (src !== undefined) return src;
  try {
    return JSON.stringify(v) ?? "null";
  } catch {
    return JSON.stringify(v, bigintReplacer) ?? "null";
  }
}

/** jsonb cannot hold \u0000; JSON.stringify writes NUL characters as that escape. */
function safeJson(v: unknown): string {
  return safeJsonText(jsonText(v));
}

function safeJsonText(s: string): string {
  return s.indexOf("\\u0000") >= 0 ? s.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, "$1\\ufffd") : s;
}

/** An attribute map as JSON text, each value by jsonText (undefined values left out, as JSON.stringify does). */
function attributesJson(a: Record<string, unknown>): string {
  let out = "{";
  for (const k in a) {
    const v = a[k];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    out += (out.length > 1 ? "," : "") + JSON.stringify(k) + ":" + jsonText(v);
  }
  return out + "}";
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


// ------------------------------------------------------------------ span rows

/** The column values of a span row (derivation already applied); null is SQL NULL. */
function spanFields(experimentId: string, s: NormalizedSpan): (string | null)[] {
  const a = s.attributes;
  const inputs = a[ATTR.inputs];
  const outputs = a[ATTR.outputs];
  // JSON.stringify skips undefined members: cheaper than copying the object without the two keys.
  if (inputs !== undefined) a[ATTR.inputs] = undefined;
  if (outputs !== undefined) a[ATTR.outputs] = undefined;
  const attrs = safeJsonText(attributesJson(a));
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

// ------------------------------------------------------------------ exact decimal sums

/** A finite number as an exact decimal: value = m × 10^-scale (JS's shortest representation, as JSON wrote it). */
function toDecimal(v: number): { m: bigint; scale: number } {
  const s = String(v);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(s);
  if (!match) return { m: 0n, scale: 0 };
  const [, sign, int, frac = "", exp = "0"] = match;
  let m = BigInt(int + frac);
  let scale = frac.length - Number(exp);
  if (scale < 0) {
    m *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { m: sign ? -m : m, scale };
}

/**
 * The exact decimal sum of numbers as text (what PostgreSQL's numeric sum of the same JSON numbers gives),
 * or null when there are none. Keeps trace totals identical whether they were summed here or in SQL.
 */
export function decimalSum(values: number[]): string | null {
  if (values.length === 0) return null;
  const ds = values.map(toDecimal);
  const scale = Math.max(...ds.map((d) => d.scale));
  let total = 0n;
  for (const d of ds) total += d.m * 10n ** BigInt(scale - d.scale);
  const neg = total < 0n;
  let digits = (neg ? -total : total).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, "0");
    digits = digits.slice(0, -scale) + "." + digits.slice(-scale);
  }
  return (neg ? "-" : "") + digits;
}

// ------------------------------------------------------------------ one write: spans of many traces

interface TraceBatch {
  traceId: string;
  /** the experiment of the first request that named this trace in the write */
  experimentId: string;
  minStartNs: bigint;
  maxEndNs: bigint | null;
  root: NormalizedSpan | null;
  spans: NormalizedSpan[];
  tags: Record<string, string>;
  metadata: Record<string, string>;
}

class MixedExperiments extends Error {}

/** Spans (derived) grouped by trace, in trace-id order; a span sent twice in one write counts once (the last copy). */
function groupByTrace(jobs: { expId: string; spans: NormalizedSpan[] }[]): TraceBatch[] {
  const byTrace = new Map<string, TraceBatch>();
  for (const job of jobs) {
    for (const s of job.spans) {
      let t = byTrace.get(s.traceId);
      // requests naming one trace under two experiments are not written together: each is checked alone
      if (t && t.experimentId !== job.expId) throw new MixedExperiments();
      if (!t) {
        t = { traceId: s.traceId, experimentId: job.expId, minStartNs: s.startTimeNs, maxEndNs: null, root: null, spans: [], tags: {}, metadata: {} };
        byTrace.set(s.traceId, t);
      }
      t.spans.push(s);
      if (s.startTimeNs < t.minStartNs) t.minStartNs = s.startTimeNs;
      if (s.endTimeNs !== null && (t.maxEndNs === null || s.endTimeNs > t.maxEndNs)) t.maxEndNs = s.endTimeNs;
      if (s.parentSpanId === null) t.root = s;
    }
  }
  for (const t of byTrace.values()) {
    // a span re-sent within one write: the last copy wins, as it would across requests
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

const TOKEN_KEYS = ["input_tokens", "output_tokens", "total_tokens"];
const COST_KEYS = ["input_cost", "output_cost", "total_cost"];

/**
 * For an attribute value present on a span (mlflow.chat.tokenUsage, mlflow.llm.cost): pushes its number
 * members `keys[i]` onto `into[i]` and answers true (the span counts, as `attributes ? key` does in SQL).
 */
function collectNumbers(v: unknown, keys: string[], into: number[][]): boolean {
  if (v === undefined) return false;
  if (v === null || typeof v !== "object" || Array.isArray(v)) return true;
  keys.forEach((k, i) => {
    const n = (v as Record<string, unknown>)[k];
    if (typeof n === "number" && Number.isFinite(n)) into[i].push(n);
  });
  return true;
}

/** The parameters of flowtrace_upsert_traces (migration 20261125140000_ingest_functions), in its order, but the last (now). */
function traceParams(batches: TraceBatch[]): unknown[] {
  const cols: unknown[][] = Array.from({ length: 20 }, () => []);
  for (const t of batches) {
    const root = t.root;
    const state: TraceState = root ? (root.status.code === "ERROR" ? "ERROR" : "OK") : "IN_PROGRESS";
    let errors = 0;
    let tokenSpans = 0;
    let costSpans = 0;
    const tokens: number[][] = [[], [], []];
    const costs: number[][] = [[], [], []];
    for (const s of t.spans) {
      if (s.status.code === "ERROR") errors++;
      if (collectNumbers(s.attributes[ATTR.tokenUsage], TOKEN_KEYS, tokens)) tokenSpans++;
      if (collectNumbers(s.attributes[ATTR.cost], COST_KEYS, costs)) costSpans++;
    }
    const row = [
      t.traceId,
      t.experimentId,
      nsToMs(t.minStartNs).toString(),
      t.maxEndNs === null ? null : nsToMs(t.maxEndNs).toString(),
      state,
      root ? root.spanId : null,
      root ? nullableText(previewOf(root.attributes[ATTR.inputs], "user")) : null,
      root ? nullableText(previewOf(root.attributes[ATTR.outputs], "assistant")) : null,
      safeJson(t.metadata),
      safeJson(t.tags),
      t.spans.length,
      errors,
      tokenSpans,
      decimalSum(tokens[0]),
      decimalSum(tokens[1]),
      decimalSum(tokens[2]),
      costSpans,
      decimalSum(costs[0]),
      decimalSum(costs[1]),
      decimalSum(costs[2]),
    ];
    for (let i = 0; i < row.length; i++) cols[i].push(row[i]);
  }
  return cols;
}

const nullableText = (v: string | null | undefined) => (v === null || v === undefined ? null : stripNul(v));

/** The parameters of flowtrace_insert_spans, in its order: one array per span column. */
function spanParams(batches: TraceBatch[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 14 }, () => []);
  for (const t of batches) {
    for (const s of t.spans) {
      const f = spanFields(t.experimentId, s);
      for (let i = 0; i < f.length; i++) cols[i].push(f[i]);
    }
  }
  return cols;
}

const placeholders = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(", ");
const INGEST_SQL = { name: "flowtrace_ingest", text: `SELECT flowtrace_ingest(${placeholders(35)})` };
// flowtrace_ingest's text[] and jsonb[] parameters (by position), sent in binary (lib/store/pg-binary.ts):
// spans' trace, span, parent, name, type, status, message, attributes, inputs, outputs, events; traces' id,
// state, root, request and response previews, metadata, tags
const INGEST_BINARY: Record<number, typeof TEXT_OID | typeof JSONB_OID> = {
  0: TEXT_OID, 1: TEXT_OID, 2: TEXT_OID, 4: TEXT_OID, 5: TEXT_OID, 8: TEXT_OID, 9: TEXT_OID, 10: JSONB_OID, 11: TEXT_OID, 12: TEXT_OID, 13: JSONB_OID,
  14: TEXT_OID, 18: TEXT_OID, 19: TEXT_OID, 20: TEXT_OID, 21: TEXT_OID, 22: JSONB_OID, 23: JSONB_OID,
};

function ingestValues(batches: TraceBatch[]): unknown[] {
  return encodeIngestValues([...spanParams(batches), ...traceParams(batches)]);
}

/** flowtrace_ingest's 34 column arrays, plus now, with its text[] and jsonb[] parameters in binary. */
function encodeIngestValues(cols: unknown[]): unknown[] {
  const values: unknown[] = [...cols, Date.now()];
  for (const k in INGEST_BINARY) values[k] = binaryTextArray(values[k] as (string | null)[], INGEST_BINARY[k]);
  return values;
}

/**
 * A small request's rows, computed when it arrives rather than when the writer takes it (the writer is the
 * one thing every request waits for in turn: whatever it does between two writes delays them all): its
 * traces, and flowtrace_ingest's span and trace columns for its spans alone.
 */
interface SpanRows {
  traceIds: string[];
  spans: number;
  cols: unknown[][];
}

function spanRowsOf(expId: string, spans: NormalizedSpan[]): SpanRows {
  const batches = groupByTrace([{ expId, spans }]);
  const cols = [...spanParams(batches), ...traceParams(batches)] as unknown[][];
  return { traceIds: batches.map((b) => b.traceId), spans: cols[0].length, cols };
}

/**
 * flowtrace_ingest's parameters for requests written together, from the rows each computed on arrival; null
 * when they must be computed over all of them (requests sharing a trace) or when there are more spans than one
 * round trip takes.
 */
function sharedIngestValues(jobs: { rows: SpanRows }[]): unknown[] | null {
  if (jobs.length === 1) return jobs[0].rows.spans > SMALL_WRITE_SPANS ? null : encodeIngestValues(jobs[0].rows.cols);
  const seen = new Set<string>();
  let spans = 0;
  for (const j of jobs) {
    spans += j.rows.spans;
    for (const id of j.rows.traceIds) {
      if (seen.has(id)) return null;
      seen.add(id);
    }
  }
  if (spans > SMALL_WRITE_SPANS) return null;
  const cols = jobs[0].rows.cols.map((_, i) => jobs.flatMap((j) => j.rows.cols[i]));
  return encodeIngestValues(cols);
}
const UPSERT_TRACES_SQL = { name: "flowtrace_upsert_traces", text: `SELECT flowtrace_upsert_traces(${placeholders(21)})` };
const BEGIN_WRITE_SQL = { name: "flowtrace_begin_write", text: "SELECT flowtrace_check_experiments($1::bigint[]), flowtrace_lock_traces($2::text[])" };

// Up to this many spans go in one round trip (an autocommit call of flowtrace_ingest with the rows as
// arrays, ON CONFLICT replacing re-sent spans); more go by COPY, PostgreSQL's fastest way in.
const SMALL_WRITE_SPANS = 256;

/**
 * Writes spans of any number of requests in one transaction: experiments checked, traces locked (in id
 * order), spans stored, each touched trace row written once. Throws the database error as it came.
 */
async function writeSpans(jobs: { expId: string; spans: NormalizedSpan[] }[], held?: PoolClient): Promise<void> {
  const batches = groupByTrace(jobs);
  if (spanCountOf(batches) > SMALL_WRITE_SPANS) return executeCopyWrite(prepareCopyWrite(batches));
  // (a pool's query checks a connection out and back in)
  await (held ?? getIngestPool()).query({ ...INGEST_SQL, values: ingestValues(batches) });
}

function spanCountOf(batches: TraceBatch[]): number {
  let n = 0;
  for (const b of batches) n += b.spans.length;
  return n;
}

/** An error that says the connection itself is unusable (not a statement's failure). */
const isConnectionError = (err: unknown) => {
  if (err instanceof MixedExperiments) return false;
  const code = (err as { code?: string })?.code;
  return !code || code.startsWith("08") || code.startsWith("57");
};

/**
 * A COPY write computed ahead: everything but the database work, plain data (it crosses from a worker
 * thread for big OTLP bodies, see lib/tracing/otlp-workers.ts).
 */
export interface PreparedWrite {
  copyRows: string;
  /** flowtrace_upsert_traces's parameters but the last (now), which is added when written */
  traceParams: unknown[];
  experimentIds: string[];
  traceIds: string[];
  /** (trace id, span id) of every span, for the retry that replaces spans already stored */
  keyTraces: string[];
  keySpans: string[];
  traces: number;
  spans: number;
}

function prepareCopyWrite(batches: TraceBatch[]): PreparedWrite {
  let copyRows = "";
  const keyTraces: string[] = [];
  const keySpans: string[] = [];
  for (const b of batches) {
    for (const s of b.spans) {
      copyRows += spanRow(b.experimentId, s);
      keyTraces.push(b.traceId);
      keySpans.push(s.spanId);
    }
  }
  return {
    copyRows,
    traceParams: traceParams(batches),
    experimentIds: [...new Set(batches.map((b) => b.experimentId))],
    traceIds: batches.map((b) => b.traceId),
    keyTraces,
    keySpans,
    traces: batches.length,
    spans: keySpans.length,
  };
}

async function executeCopyWrite(p: PreparedWrite): Promise<void> {
  const client = await getIngestPool().connect();
  let inTx = false;
  let broken = false;
  try {
    const begin = { ...BEGIN_WRITE_SQL, values: [p.experimentIds, p.traceIds] };
    await client.query("BEGIN");
    inTx = true;
    await client.query(begin);
    // Fresh spans are the rule: COPY straight in, and only when a span is already stored (23505) do it
    // again with a DELETE of the write's keys first. The trace locks make the retry race-free.
    try {
      await copySpans(client, p.copyRows);
    } catch (err) {
      if ((err as { code?: string }).code !== "23505") throw err;
      await client.query("ROLLBACK");
      await client.query("BEGIN");
      await client.query(begin);
      await client.query("DELETE FROM spans WHERE (trace_id, span_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))", [p.keyTraces, p.keySpans]);
      await copySpans(client, p.copyRows);
    }
    await client.query({ ...UPSERT_TRACES_SQL, values: [...p.traceParams, Date.now()] });
    await client.query("COMMIT");
    inTx = false;
  } catch (err) {
    if (inTx) await client.query("ROLLBACK").catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}

// ------------------------------------------------------------------ group commit

// Small requests (up to MAX_SHARED_SPANS spans), and StartTraceV3 rows, that arrive while a write is in flight
// are written together in the next one (one transaction, one commit for all of them): with the Python client's one span per
// request, the per-transaction cost of PostgreSQL (round trip, locks, WAL flush) is shared by every request
// waiting at that moment. At most WRITERS (FLOWTRACE_INGEST_WRITERS, default 1) shared writes run at once:
// measured with 8 one-span senders, 1 writer gave 2,350 requests/s, 2 gave 1,850 and 4 gave 700 (concurrent
// transactions contend on the trace rows' index pages). A write takes waiting requests up to MAX_WRITE_SPANS
// spans. If a shared write fails, each of its requests is written again on its own, so one bad request never
// fails another. Bigger requests are batches already: each is written at once on its own connection, several
// in flight (512-span batches from 4 senders: 15,700 spans/s through one writer, 24,300 with two, more
// with one write per request).
//
// Where a shared write's time goes under bench:rest (8 TypeScript-SDK clients, ~4 requests a write, one write
// every ~2.1 ms): ~1.2 ms of execution (pg_stat_statements; roughly 0.5 ms of it is the same whatever the batch
// size), 0.35–0.8 ms of WAL flush (fdatasync, by strace on the backend) and ~0.3 ms before the event loop, busy
// with HTTP requests, picks the answer up. Tried, measured slower on this 2-core machine, and not kept:
// committing with synchronous_commit = off and flushing through a second connection before answering (a round
// trip more per write and smaller batches: 0.5 -> 1.35 transactions per trace, ~720 against ~825 traces/s);
// flushing only every other write (its requests wait for the next one: ~520 against ~700–900); two writers
// (0.93 transactions per trace, ~520–760). Even with the flush gone altogether (synchronous_commit = off, not
// durable) bench:rest gained only 14–25%: the writer's execution time is the thing to shrink.
const MAX_WRITE_SPANS = 1024;
// Requests with more spans than this are written on their own, without waiting for the shared writer.
export const MAX_SHARED_SPANS = 64;

/**
 * A group-commit writer: jobs pushed while a write is in flight wait for the next one, which takes as many as
 * `take` picks and writes them together (`write` settles each). At most `writers()` writes run at once, each
 * holding its connection while jobs keep coming (checking one out of the pool for every write cost ~0.15 ms
 * of the ~1.5 ms a write takes). If a write of several jobs fails, each is written again on its own
 * (`writeAlone`), so one bad request never fails another; without a connection every waiting job fails.
 */
class GroupCommit<J extends { reject: (err: unknown) => void }> {
  private readonly queue: J[] = [];
  private running = 0;

  constructor(
    private readonly o: {
      writers: () => number;
      take: (queue: J[]) => J[];
      write: (jobs: J[], client: PoolClient) => Promise<void>;
      writeAlone: (job: J) => Promise<void>;
    },
  ) {}

  push(job: J): void {
    this.queue.push(job);
    if (this.running < this.o.writers()) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running++;
    let client: PoolClient | undefined;
    try {
      while (this.queue.length) {
        client ??= await getIngestPool().connect();
        const jobs = this.o.take(this.queue);
        try {
          await this.o.write(jobs, client);
        } catch (err) {
          if (isConnectionError(err)) {
            client.release(err as Error);
            client = undefined;
          }
          if (jobs.length === 1) {
            jobs[0].reject(err);
            continue;
          }
          for (const j of jobs) await this.o.writeAlone(j).catch(j.reject);
        }
      }
    } catch (err) {
      // no connection: every waiting request fails with it
      for (const j of this.queue.splice(0)) j.reject(err);
    } finally {
      client?.release();
      this.running--;
    }
  }
}

interface SpanJob {
  kind: "spans";
  expId: string;
  spans: NormalizedSpan[];
  rows: SpanRows;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function writers(): number {
  const v = Number(process.env.FLOWTRACE_INGEST_WRITERS);
  return Number.isInteger(v) && v > 0 ? v : 1;
}

function enqueue(expId: string, spans: NormalizedSpan[]): Promise<void> {
  const rows = spanRowsOf(expId, spans);
  return new Promise<void>((resolve, reject) => writer.push({ kind: "spans", expId, spans, rows, resolve, reject }));
}

// ------------------------------------------------------------------ public API

/**
 * Stores spans of any number of traces into one experiment, in one transaction (shared with requests
 * waiting at the same moment). Spans are derived (§9.6) in place first. Re-sent spans replace their
 * earlier copy. Throws ApiError RESOURCE_DOES_NOT_EXIST for an unknown experiment, INVALID_PARAMETER_VALUE
 * for a deleted one; nothing is stored then.
 */
export async function ingestSpans(experimentId: string, spans: NormalizedSpan[]): Promise<{ traces: number; spans: number }> {
  const expId = validExperimentId(experimentId);
  if (spans.length === 0) {
    const r = await getIngestPool().query<ExperimentRow>("SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = $1", [expId]);
    checkExperiment(experimentId, r.rows[0]);
    return { traces: 0, spans: 0 };
  }
  const traces = new Map<string, Set<string>>();
  for (const s of spans) {
    deriveSpan(s);
    let ids = traces.get(s.traceId);
    if (!ids) traces.set(s.traceId, (ids = new Set()));
    ids.add(s.spanId);
  }
  let spanCount = 0;
  for (const ids of traces.values()) spanCount += ids.size;
  try {
    // big requests are already batches: written at once, concurrently (each write waits on round trips and
    // its commit, so several in flight use the database better); small ones share a write
    if (spans.length > MAX_SHARED_SPANS) await writeSpans([{ expId, spans }]);
    else await enqueue(expId, spans);
  } catch (err) {
    throw translateDbError(err, experimentId);
  }
  return { traces: traces.size, spans: spanCount };
}

/**
 * The CPU part of ingestSpans for a batch bigger than MAX_SHARED_SPANS (derivation, rows): pure, so it can
 * run in a worker thread. Throws ApiError for an experiment id that cannot exist.
 */
export function prepareSpans(experimentId: string, spans: NormalizedSpan[]): PreparedWrite {
  const expId = validExperimentId(experimentId);
  for (const s of spans) deriveSpan(s);
  return prepareCopyWrite(groupByTrace([{ expId, spans }]));
}

/** Writes what prepareSpans computed: ingestSpans's database part, same errors. */
export async function ingestPrepared(experimentId: string, p: PreparedWrite): Promise<{ traces: number; spans: number }> {
  try {
    await executeCopyWrite(p);
  } catch (err) {
    throw translateDbError(err, experimentId);
  }
  return { traces: p.traces, spans: p.spans };
}

function translateDbError(err: unknown, experimentId: string): unknown {
  if (err instanceof ApiError) return err;
  const e = err as { code?: string; message?: string };
  if (e.code === "P0002" && e.message === "flowtrace: experiment does not exist") {
    return notFound(`Experiment with id '${experimentId}' does not exist.`);
  }
  if (e.code === "P0001" && e.message?.startsWith("flowtrace: experiment is ")) {
    const stage = e.message.slice("flowtrace: experiment is ".length);
    return invalidParameter(`The experiment '${experimentId}' must be in the 'active' state. Current state is ${stage}.`);
  }
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

// The merge StartTraceV3 (and v2 StartTrace/EndTrace) does with a stored row: the given trace-info fields
// win; spans, tags and metadata already stored are kept (union); the spans-location tag stays while spans are
// held. A trace stored under another experiment is neither moved nor changed (the WHERE: no row comes back,
// and explainUnwritten says why; issue #14 — with the experiment in the request deciding, anyone allowed to
// write one experiment could rewrite the traces of any other). flowtrace_write (migrations
// 20261205170000_write_batch, 20261207230000_trace_info_owner) runs the same statement as TRACE_INFO_BATCH_SQL:
// a change here needs a migration that replaces it there too.
const TRACE_INFO_CONFLICT = `ON CONFLICT (trace_id) DO UPDATE SET
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
       updated_at = EXCLUDED.updated_at
     WHERE t.experiment_id = EXCLUDED.experiment_id
     RETURNING ${TRACE_INFO_COLUMNS}, EXISTS (SELECT 1 FROM assessments a WHERE a.trace_id = t.trace_id) AS "hasAssessments"`;

const TRACE_INFO_INSERT = `INSERT INTO traces AS t (trace_id, experiment_id, client_request_id, request_time, execution_duration, end_time, state,
        request_preview, response_preview, trace_metadata, tags, name, session_id, user_id,
        input_tokens, output_tokens, total_tokens, cost, info_finalized, updated_at)`;

/** One StartTraceV3 row's parameters: trace id, experiment, client request id, start ms, duration ms, state, previews, metadata, tags, name, session, user, tokens, cost. */
type TraceInfoParams = [string, string, string | null, number, number | null, string, string | null, string | null, string, string, string | null, string | null, string | null, number | null, number | null, number | null, number | null];

function traceInfoParams(info: TraceInfoInput): TraceInfoParams {
  const expId = validExperimentId(info.experimentId);
  const tags: Record<string, string> = { ...info.tags };
  // the server decides where spans are; a client value would make readers look in the wrong place
  delete tags[SPANS_LOCATION_TAG];
  const metadata = { ...info.metadata };
  const tokens = parseTokenUsage(metadata[TOKEN_USAGE_METADATA]);
  const cost = parseCost(metadata[COST_METADATA]);
  const duration = info.executionDurationMs ?? null;
  if (info.traceId.includes("\u0000")) throw invalidParameter("Invalid value for parameter 'trace_id' supplied: it contains a NUL character.");
  // PostgreSQL text cannot hold NUL characters: previews and the like lose them (as span fields do)
  return [
    info.traceId,
    expId,
    nullableText(info.clientRequestId),
    Math.trunc(info.requestTimeMs),
    duration === null ? null : Math.trunc(duration),
    info.state,
    nullableText(info.requestPreview),
    nullableText(info.responsePreview),
    safeJson(metadata),
    safeJson(tags),
    nullableText(tags[TRACE_NAME_TAG]),
    nullableText(metadata[SESSION_METADATA]),
    nullableText(metadata[USER_METADATA]),
    tokens?.input ?? null,
    tokens?.output ?? null,
    tokens?.total ?? null,
    cost,
  ];
}

type StartedTrace = StoredTraceInfo & { hasAssessments: boolean };

/** Why a StartTraceV3 row was not written: its experiment is missing or not active, or the trace is another experiment's (throws ApiError). */
async function explainUnwritten(info: TraceInfoInput, db: Pool | PoolClient = getIngestPool()): Promise<never> {
  const expId = validExperimentId(info.experimentId);
  const exp = await db.query<ExperimentRow>("SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = $1", [expId]);
  checkExperiment(info.experimentId, exp.rows[0]);
  const owner = await db.query<{ e: string }>("SELECT experiment_id::text AS e FROM traces WHERE trace_id = $1", [info.traceId]);
  if (owner.rows[0] && owner.rows[0].e !== expId) {
    throw invalidParameter(`Trace '${info.traceId}' already exists in another experiment: a trace cannot be moved to experiment '${info.experimentId}' or rewritten from it.`);
  }
  throw new Error(`trace ${info.traceId} was not written although experiment ${info.experimentId} is active`);
}

/** One StartTraceV3 row in one statement (inside a caller's transaction, or a batch's fallback). */
async function upsertTraceInfoOne(info: TraceInfoInput, db: Pool | PoolClient): Promise<StartedTrace> {
  const params = traceInfoParams(info);
  // One round trip: the experiment is checked (and its artifact location read) by the statement itself; only
  // when it writes nothing is the experiment looked up, to say why.
  const r = await db.query<StartedTrace>({
    name: "flowtrace_upsert_trace_info",
    text: `${TRACE_INFO_INSERT}
     SELECT $1, e.experiment_id, $3, $4, $5, $4::bigint + $5::bigint, $6, $7, $8, $9::jsonb,
        $10::jsonb || jsonb_build_object('${ARTIFACT_LOCATION_TAG}', rtrim(e.artifact_location, '/') || '/traces/' || $1 || '/artifacts'),
        $11, $12, $13, $14, $15, $16, $17, true, $18
       FROM experiments e WHERE e.experiment_id = $2 AND e.lifecycle_stage = 'active'
     ${TRACE_INFO_CONFLICT}`,
    values: [...params, Date.now()],
  });
  if (r.rowCount === 0) return explainUnwritten(info, db);
  return r.rows[0];
}

// Many rows in one statement: the columns as arrays (one parameter each), rows in trace id order.
const TRACE_INFO_BATCH_SQL = `${TRACE_INFO_INSERT}
     SELECT v.id, e.experiment_id, v.client, v.t, v.d, v.t + v.d, v.state, v.req, v.resp, v.meta,
        v.tags || jsonb_build_object('${ARTIFACT_LOCATION_TAG}', rtrim(e.artifact_location, '/') || '/traces/' || v.id || '/artifacts'),
        v.name, v.session, v.usr, v.i, v.o, v.tt, v.c, true, $18
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::jsonb[],
                   $10::jsonb[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], $17::float8[])
              AS v(id, exp, client, t, d, state, req, resp, meta, tags, name, session, usr, i, o, tt, c)
       JOIN experiments e ON e.experiment_id = v.exp AND e.lifecycle_stage = 'active'
      ORDER BY v.id
     ${TRACE_INFO_CONFLICT}`;

// TRACE_INFO_BATCH_SQL's text[] and jsonb[] parameters, sent in binary (lib/store/pg-binary.ts)
const INFO_BATCH_BINARY: Record<number, typeof TEXT_OID | typeof JSONB_OID> = {
  0: TEXT_OID, 2: TEXT_OID, 5: TEXT_OID, 6: TEXT_OID, 7: TEXT_OID, 8: JSONB_OID, 9: JSONB_OID, 10: TEXT_OID, 11: TEXT_OID, 12: TEXT_OID,
};

// StartTraceV3 rows share the group-commit writer of small span writes (see "group commit" above): requests
// of both kinds waiting at the same moment are written in one transaction. Many StartTraceV3 rows go in one
// statement (TRACE_INFO_BATCH_SQL, each request is one row), which measured as less than half of PostgreSQL's
// CPU per trace at the TypeScript SDK's pace; with spans waiting too, one call of flowtrace_write (migration
// 20261205170000_write_batch) writes the rows and then the spans: one round trip and one commit instead of two,
// about half the transactions per TypeScript-SDK trace (StartTraceV3, then its traces.json). A write takes
// waiting StartTraceV3 requests up to a repeated trace id (one statement cannot upsert a row twice).
const MAX_INFO_BATCH = 256;

interface InfoJob {
  kind: "info";
  info: TraceInfoInput;
  params: TraceInfoParams;
  resolve: (row: StartedTrace) => void;
  reject: (err: unknown) => void;
}

type WriteJob = SpanJob | InfoJob;

/** StartTraceV3 rows' parameters as TRACE_INFO_BATCH_SQL and flowtrace_write take them: one array per column. */
function infoBatchColumns(jobs: InfoJob[]): unknown[] {
  const cols: unknown[] = Array.from({ length: 17 }, (_, i) => jobs.map((j) => j.params[i]));
  for (const k in INFO_BATCH_BINARY) cols[k] = binaryTextArray(cols[k] as (string | null)[], INFO_BATCH_BINARY[k]);
  return cols;
}

/** Settles StartTraceV3 requests from the rows a write returned; a row not written says why (its experiment). */
function settleInfos(jobs: InfoJob[], rows: StartedTrace[]): void {
  const byId = new Map(rows.map((r) => [r.traceId, r]));
  for (const j of jobs) {
    const row = byId.get(j.info.traceId);
    if (row) j.resolve(row);
    else explainUnwritten(j.info).catch(j.reject);
  }
}

const WRITE_SQL = { name: "flowtrace_write", text: `SELECT * FROM flowtrace_write(${placeholders(53)})` };

async function writeInfos(jobs: InfoJob[], db: Pool | PoolClient): Promise<void> {
  if (jobs.length === 1) {
    jobs[0].resolve(await upsertTraceInfoOne(jobs[0].info, db));
    return;
  }
  const { rows } = await db.query<StartedTrace>({ name: "flowtrace_upsert_trace_infos", text: TRACE_INFO_BATCH_SQL, values: [...infoBatchColumns(jobs), Date.now()] });
  settleInfos(jobs, rows);
}

/**
 * How many shared writes took StartTraceV3 rows and spans together (flowtrace_write), and how many had more spans
 * than one round trip takes (COPY), for tests and diagnostics.
 */
export const writerStats = { combinedWrites: 0, copyWrites: 0 };

const writer = new GroupCommit<WriteJob>({
  writers,
  // waiting requests in order, up to MAX_WRITE_SPANS spans, MAX_INFO_BATCH StartTraceV3 rows and the first
  // repeated StartTraceV3 trace id
  take: (queue) => {
    const jobs: WriteJob[] = [queue.shift()!];
    let spans = jobs[0].kind === "spans" ? jobs[0].spans.length : 0;
    let infos = jobs[0].kind === "info" ? 1 : 0;
    const ids = new Set<string>();
    if (jobs[0].kind === "info") ids.add(jobs[0].info.traceId);
    while (queue.length) {
      const j = queue[0];
      if (j.kind === "spans") {
        if (spans + j.spans.length > MAX_WRITE_SPANS) break;
        spans += j.spans.length;
      } else {
        if (infos >= MAX_INFO_BATCH || ids.has(j.info.traceId)) break;
        infos++;
        ids.add(j.info.traceId);
      }
      jobs.push(queue.shift()!);
    }
    return jobs;
  },
  write: async (jobs, client) => {
    const infos = jobs.filter((j): j is InfoJob => j.kind === "info");
    const spanJobs = jobs.filter((j): j is SpanJob => j.kind === "spans");
    if (spanJobs.length === 0) return writeInfos(infos, client);
    let ingest = sharedIngestValues(spanJobs);
    let batches: TraceBatch[] = [];
    if (!ingest) {
      // requests sharing a trace (its row takes the spans of all of them), or more spans than one round trip takes
      batches = groupByTrace(spanJobs);
      if (spanCountOf(batches) <= SMALL_WRITE_SPANS) ingest = ingestValues(batches);
    }
    if (!ingest) {
      // COPY, in a transaction of its own
      writerStats.copyWrites++;
      if (infos.length) await writeInfos(infos, client);
      await executeCopyWrite(prepareCopyWrite(batches));
    } else if (infos.length === 0) {
      await client.query({ ...INGEST_SQL, values: ingest });
    } else {
      writerStats.combinedWrites++;
      const { rows } = await client.query<StartedTrace>({ ...WRITE_SQL, values: [...infoBatchColumns(infos), Date.now(), ...ingest] });
      settleInfos(infos, rows);
    }
    for (const j of spanJobs) j.resolve();
  },
  writeAlone: async (j) => {
    if (j.kind === "info") return j.resolve(await upsertTraceInfoOne(j.info, getIngestPool()));
    await writeSpans([j]);
    j.resolve();
  },
});

/**
 * StartTraceV3 (and v2 StartTrace/EndTrace): creates the trace row or merges into the one OTLP spans
 * created. The given trace-info fields win; spans, tags and metadata already stored are kept (union);
 * the spans-location tag stays while spans are held. Adds the mlflow.artifactLocation tag. Answers with the
 * row as stored (and whether the trace has assessments), so callers need not read it back. Given a
 * transaction's client, writes in it; otherwise the write is shared with the StartTraceV3 requests waiting
 * at the same moment (see above).
 */
export async function upsertTraceInfo(info: TraceInfoInput, db?: Pool | PoolClient): Promise<StartedTrace> {
  if (db) return upsertTraceInfoOne(info, db);
  const params = traceInfoParams(info); // (validates before queueing)
  return new Promise<StartedTrace>((resolve, reject) => writer.push({ kind: "info", info, params, resolve, reject }));
}
