// The trace store's write side: ingestSpans (OTLP, traces.json) and upsertTraceInfo (StartTraceV3, v2
// StartTrace/EndTrace). Both are idempotent and commutative: any order, any repetition, same rows.
//
// One way through (why: shared/limits.md for the figures):
//   decode (lib/tracing) → derive each span (deriveSpan) → roll up per trace (./trace-rollup.ts: totals,
//   previews, name, tags, session, user) → rows (./span-row.ts, ./trace-row.ts, ./trace-info-write.ts: named
//   row specs, ./row-spec.ts) → write (./span-write.ts: one round trip or COPY; ./shared-writer.ts: group
//   commit of small requests and StartTraceV3 rows). The SQL lives in functions (prisma/functions), planned
//   once per connection. Text and JSON arrays go in PostgreSQL's binary array format (../pg-binary.ts).
import type { Pool, PoolClient } from "pg";
import { getIngestPool } from "../../db";
import { deriveSpan } from "../../tracing/derive";
import type { NormalizedSpan } from "../../tracing/model";
import { checkExperiment, translateDbError, validExperimentId } from "./experiment-check";
import { enqueueSpans, enqueueTraceInfo, MAX_SHARED_SPANS } from "./shared-writer";
import { executeCopyWrite, prepareCopyWrite, writeSpans, type PreparedWrite } from "./span-write";
import { spanCopyLine } from "./span-row";
import { startTraceRowOf, writeTraceInfo, type StartedTrace, type TraceInfoInput } from "./trace-info-write";
import { rollUpTraces } from "./trace-rollup";
import { watchStoredPrices } from "../prices";

// spans are priced with the overrides stored on /settings/prices too (lib/store/prices.ts)
watchStoredPrices();

export { decimalSum } from "./decimal-sum";
export { MAX_SHARED_SPANS, writerStats } from "./shared-writer";
export { copySpans, type PreparedWrite } from "./span-write";
export { ARTIFACT_LOCATION_TAG, COST_METADATA, SPANS_LOCATION_TAG, TOKEN_USAGE_METADATA, type TraceInfoInput } from "./trace-info-write";
export { SESSION_METADATA, TRACE_NAME_TAG, USER_METADATA } from "./trace-rollup";

/**
 * Stores spans of any number of traces into one experiment, in one transaction (shared with requests
 * waiting at the same moment). Spans are derived (§9.6) in place first. Re-sent spans replace their
 * earlier copy. Throws ApiError RESOURCE_DOES_NOT_EXIST for an unknown experiment, INVALID_PARAMETER_VALUE
 * for a deleted one; nothing is stored then.
 */
export async function ingestSpans(experimentId: string, spans: NormalizedSpan[]): Promise<{ traces: number; spans: number }> {
  const expId = validExperimentId(experimentId);
  if (spans.length === 0) {
    await checkExperiment(experimentId, getIngestPool());
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
    else await enqueueSpans(expId, spans);
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
  return prepareCopyWrite(rollUpTraces([{ expId, spans }]));
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

/**
 * The COPY text of span rows exactly as ingestSpans writes them (derivation applied in place). For the
 * benchmark's raw-COPY ceiling and for tools that bulk-load spans.
 */
export function spanCopyRows(experimentId: string, spans: NormalizedSpan[]): string {
  let rows = "";
  for (const s of spans) rows += spanCopyLine(experimentId, deriveSpan(s));
  return rows;
}

/**
 * StartTraceV3 (and v2 StartTrace/EndTrace): creates the trace row or merges into the one OTLP spans
 * created (./trace-info-write.ts). Adds the mlflow.artifactLocation tag. Answers with the row as stored (and
 * whether the trace has assessments), so callers need not read it back. Given a transaction's client, writes
 * in it; otherwise the write is shared with the requests waiting at the same moment (./shared-writer.ts).
 */
export async function upsertTraceInfo(info: TraceInfoInput, db?: Pool | PoolClient): Promise<StartedTrace> {
  if (db) return writeTraceInfo(info, db);
  return enqueueTraceInfo(info, startTraceRowOf(info)); // (validates before queueing)
}
