// The one group-commit writer (./group-commit.ts) of small span writes and StartTraceV3 rows. Requests of
// both kinds waiting at the same moment are written in one transaction. Many StartTraceV3 rows go in one
// statement (each request is one row), which measured as less than half of PostgreSQL's CPU per trace at the
// TypeScript SDK's pace; with spans waiting too, one call of flowtrace_write (prisma/functions) writes the rows
// and then the spans: one round trip and one commit instead of two, about half the transactions per
// TypeScript-SDK trace (StartTraceV3, then its traces.json).
import type { PoolClient } from "pg";
import type { NormalizedSpan } from "../../tracing/model";
import { getIngestPool } from "../../db";
import { GroupCommit, ingestWriters } from "./group-commit";
import { executeCopyWrite, ingestValues, INGEST_SQL, prepareCopyWrite, sharedIngestValues, SMALL_WRITE_SPANS, spanWriteRowsOf, writeSpans, type SpanWriteRows } from "./span-write";
import { explainUnwritten, traceInfoArrays, writeTraceInfo, writeTraceInfos, START_TRACE_ROW, type StartedTrace, type TraceInfoInput, type StartTraceRow } from "./trace-info-write";
import { rollUpTraces, spanCountOf } from "./trace-rollup";
import { placeholders } from "./row-spec";
import { SPAN_ROW } from "./span-row";
import { TRACE_ROW } from "./trace-row";

// A write takes waiting requests up to MAX_WRITE_SPANS spans, MAX_INFO_BATCH StartTraceV3 rows and the first
// repeated StartTraceV3 trace id (one statement cannot upsert a row twice).
const MAX_WRITE_SPANS = 1024;
const MAX_INFO_BATCH = 256;
// Requests with more spans than this are written on their own, without waiting for the shared writer.
export const MAX_SHARED_SPANS = 64;

interface SpanJob {
  kind: "spans";
  expId: string;
  spans: NormalizedSpan[];
  rows: SpanWriteRows;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface InfoJob {
  kind: "info";
  info: TraceInfoInput;
  row: StartTraceRow;
  resolve: (row: StartedTrace) => void;
  reject: (err: unknown) => void;
}

type WriteJob = SpanJob | InfoJob;

/**
 * How many shared writes took StartTraceV3 rows and spans together (flowtrace_write), and how many had more spans
 * than one round trip takes (COPY), for tests and diagnostics.
 */
export const writerStats = { combinedWrites: 0, copyWrites: 0 };

const WRITE_ARGS = Object.keys(START_TRACE_ROW).length + 1 + Object.keys(SPAN_ROW).length + Object.keys(TRACE_ROW).length + 1;
const WRITE_SQL = { name: "flowtrace_write", text: `SELECT * FROM flowtrace_write(${placeholders(WRITE_ARGS)})` };

/** Settles StartTraceV3 requests from the rows a write returned; a row not written says why (its experiment). */
function settleInfos(jobs: InfoJob[], rows: StartedTrace[]): void {
  const byId = new Map(rows.map((r) => [r.traceId, r]));
  for (const j of jobs) {
    const row = byId.get(j.info.traceId);
    if (row) j.resolve(row);
    else explainUnwritten(j.info, getIngestPool()).catch(j.reject);
  }
}

async function writeInfos(jobs: InfoJob[], db: PoolClient): Promise<void> {
  settleInfos(jobs, await writeTraceInfos(jobs.map((j) => j.row), db));
}

const writer = new GroupCommit<WriteJob>({
  writers: ingestWriters,
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
    let traces: ReturnType<typeof rollUpTraces> = [];
    if (!ingest) {
      // requests sharing a trace (its row takes the spans of all of them), or more spans than one round trip takes
      traces = rollUpTraces(spanJobs);
      if (spanCountOf(traces) <= SMALL_WRITE_SPANS) ingest = ingestValues([spanWriteRowsOf(traces)]);
    }
    if (!ingest) {
      // COPY, in a transaction of its own
      writerStats.copyWrites++;
      if (infos.length) await writeInfos(infos, client);
      await executeCopyWrite(prepareCopyWrite(traces));
    } else if (infos.length === 0) {
      await client.query({ ...INGEST_SQL, values: ingest });
    } else {
      writerStats.combinedWrites++;
      const { rows } = await client.query<StartedTrace>({ ...WRITE_SQL, values: [...traceInfoArrays(infos.map((j) => j.row)), Date.now(), ...ingest] });
      settleInfos(infos, rows);
    }
    for (const j of spanJobs) j.resolve();
  },
  writeAlone: async (j) => {
    if (j.kind === "info") return j.resolve(await writeTraceInfo(j.info, getIngestPool(), j.row));
    await writeSpans([j]);
    j.resolve();
  },
});

/** Spans of one small request, written with the requests waiting at the same moment. */
export function enqueueSpans(expId: string, spans: NormalizedSpan[]): Promise<void> {
  const rows = spanWriteRowsOf(rollUpTraces([{ expId, spans }]));
  return new Promise<void>((resolve, reject) => writer.push({ kind: "spans", expId, spans, rows, resolve, reject }));
}

/** A StartTraceV3 row (validated by the caller into `row`), written with the requests waiting at the same moment. */
export function enqueueTraceInfo(info: TraceInfoInput, row: StartTraceRow): Promise<StartedTrace> {
  return new Promise<StartedTrace>((resolve, reject) => writer.push({ kind: "info", info, row, resolve, reject }));
}
