// Span writes: rows of rolled-up traces into `spans` and `traces`, one transaction per write.
//   - up to SMALL_WRITE_SPANS spans: ONE round trip, an autocommit `SELECT flowtrace_ingest(…)` with the
//     rows as arrays (check experiments, lock, INSERT … ON CONFLICT replacing re-sent spans, trace rows);
//   - larger writes: BEGIN; check + lock; COPY straight into `spans` (if a span is already stored, 23505,
//     the transaction is redone with a DELETE of the write's keys first); flowtrace_upsert_traces; COMMIT.
// A transaction advisory lock per touched trace (taken in trace-id order, so writes sharing traces serialize
// and cannot deadlock) makes the read-modify-write of the trace row exact. Each touched trace row is written
// once per write; no per-span round trips.
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { NormalizedSpan } from "../../tracing/model";
import { getIngestPool } from "../../db";
import { columnArrays, placeholders } from "./row-spec";
import { SPAN_COLUMNS, SPAN_ROW, spanCopyLine, spanRowOf, type SpanRow } from "./span-row";
import { rollUpTraces, spanCountOf, type TraceRollup } from "./trace-rollup";
import { traceRowArrays, traceRowOf, TRACE_ROW, type TraceRow } from "./trace-row";

// Up to this many spans go in one round trip (an autocommit call of flowtrace_ingest with the rows as
// arrays, ON CONFLICT replacing re-sent spans); more go by COPY, PostgreSQL's fastest way in.
export const SMALL_WRITE_SPANS = 256;

const INGEST_ARGS = Object.keys(SPAN_ROW).length + Object.keys(TRACE_ROW).length + 1;
export const INGEST_SQL = { name: "flowtrace_ingest", text: `SELECT flowtrace_ingest(${placeholders(INGEST_ARGS)})` };
const UPSERT_TRACES_SQL = { name: "flowtrace_upsert_traces", text: `SELECT flowtrace_upsert_traces(${placeholders(Object.keys(TRACE_ROW).length + 1)})` };
const BEGIN_WRITE_SQL = { name: "flowtrace_begin_write", text: "SELECT flowtrace_check_experiments($1::bigint[]), flowtrace_lock_traces($2::text[])" };

/**
 * The rows of a small write, computed when its request arrives rather than when the writer takes it (the
 * writer is the one thing every request waits for in turn: whatever it does between two writes delays them all).
 */
export interface SpanWriteRows {
  traceIds: string[];
  spanRows: SpanRow[];
  traceRows: TraceRow[];
}

export function spanWriteRowsOf(traces: readonly TraceRollup[]): SpanWriteRows {
  const spanRows: SpanRow[] = [];
  for (const t of traces) for (const s of t.spans) spanRows.push(spanRowOf(t.experimentId, s));
  return { traceIds: traces.map((t) => t.traceId), spanRows, traceRows: traces.map(traceRowOf) };
}

/** flowtrace_ingest's parameters: one array per span column, one per trace column, then now. */
export function ingestValues(rows: readonly SpanWriteRows[]): unknown[] {
  const spanRows = rows.length === 1 ? rows[0].spanRows : rows.flatMap((r) => r.spanRows);
  const traceRows = rows.length === 1 ? rows[0].traceRows : rows.flatMap((r) => r.traceRows);
  return [...columnArrays(SPAN_ROW, spanRows), ...traceRowArrays(traceRows), Date.now()];
}

/**
 * flowtrace_ingest's parameters for requests written together, from the rows each computed on arrival; null
 * when they must be rolled up over all of them (requests sharing a trace) or when there are more spans than
 * one round trip takes.
 */
export function sharedIngestValues(jobs: readonly { rows: SpanWriteRows }[]): unknown[] | null {
  const seen = new Set<string>();
  let spans = 0;
  for (const j of jobs) {
    spans += j.rows.spanRows.length;
    if (jobs.length === 1) break;
    for (const id of j.rows.traceIds) {
      if (seen.has(id)) return null;
      seen.add(id);
    }
  }
  if (spans > SMALL_WRITE_SPANS) return null;
  return ingestValues(jobs.map((j) => j.rows));
}

/**
 * Writes spans of any number of requests in one transaction: experiments checked, traces locked (in id
 * order), spans stored, each touched trace row written once. Throws the database error as it came.
 */
export async function writeSpans(jobs: { expId: string; spans: NormalizedSpan[] }[], held?: PoolClient): Promise<void> {
  const traces = rollUpTraces(jobs);
  if (spanCountOf(traces) > SMALL_WRITE_SPANS) return executeCopyWrite(prepareCopyWrite(traces));
  // (a pool's query checks a connection out and back in)
  await (held ?? getIngestPool()).query({ ...INGEST_SQL, values: ingestValues([spanWriteRowsOf(traces)]) });
}

/**
 * A COPY write computed ahead: everything but the database work, plain data (it crosses from a worker
 * thread for big OTLP bodies, see lib/tracing/otlp-workers.ts).
 */
export interface PreparedWrite {
  copyRows: string;
  traceRows: TraceRow[];
  experimentIds: string[];
  traceIds: string[];
  /** (trace id, span id) of every span, for the retry that replaces spans already stored */
  keyTraces: string[];
  keySpans: string[];
  traces: number;
  spans: number;
}

export function prepareCopyWrite(traces: readonly TraceRollup[]): PreparedWrite {
  let copyRows = "";
  const keyTraces: string[] = [];
  const keySpans: string[] = [];
  for (const t of traces) {
    for (const s of t.spans) {
      copyRows += spanCopyLine(t.experimentId, s);
      keyTraces.push(t.traceId);
      keySpans.push(s.spanId);
    }
  }
  return {
    copyRows,
    traceRows: traces.map(traceRowOf),
    experimentIds: [...new Set(traces.map((t) => t.experimentId))],
    traceIds: traces.map((t) => t.traceId),
    keyTraces,
    keySpans,
    traces: traces.length,
    spans: keySpans.length,
  };
}

export async function copySpans(client: PoolClient, rows: string): Promise<void> {
  const stream = client.query(copyFrom(`COPY spans (${SPAN_COLUMNS}) FROM STDIN`));
  await new Promise<void>((resolve, reject) => {
    stream.on("error", reject);
    stream.on("finish", resolve);
    stream.end(rows);
  });
}

export async function executeCopyWrite(p: PreparedWrite): Promise<void> {
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
    await client.query({ ...UPSERT_TRACES_SQL, values: [...traceRowArrays(p.traceRows), Date.now()] });
    await client.query("COMMIT");
    inTx = false;
  } catch (err) {
    if (inTx) await client.query("ROLLBACK").catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}
