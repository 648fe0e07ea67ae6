// StartTraceV3 (and v2 StartTrace/EndTrace) rows: validated into named rows here, merged with stored rows by
// flowtrace_upsert_trace_infos (prisma/functions), one row or many per statement. A row that comes back
// unwritten is explained here: its experiment is missing or not active, or its trace is another experiment's
// (issue #14 — with the experiment in the request deciding, anyone allowed to write one experiment could
// rewrite the traces of any other).
import type { Pool, PoolClient } from "pg";
import { invalidParameter } from "../../errors";
import type { TraceState } from "../../tracing/model";
import type { StoredTraceInfo } from "../traces";
import { checkExperiment, validExperimentId } from "./experiment-check";
import { nullableText, safeJson } from "./json-text";
import { columnArrays, placeholders, type RowSpec } from "./row-spec";
import { SESSION_METADATA, TRACE_NAME_TAG, USER_METADATA } from "./trace-rollup";

export const SPANS_LOCATION_TAG = "mlflow.trace.spansLocation";
export const ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation";
export const TOKEN_USAGE_METADATA = "mlflow.trace.tokenUsage";
export const COST_METADATA = "mlflow.trace.cost";

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

export type StartedTrace = StoredTraceInfo & { hasAssessments: boolean };

/** A StartTraceV3 row as the statements below (and flowtrace_write's i_* parameters) take it. */
export interface StartTraceRow {
  traceId: string;
  experimentId: string;
  clientRequestId: string | null;
  requestTimeMs: number;
  durationMs: number | null;
  state: string;
  requestPreview: string | null;
  responsePreview: string | null;
  metadata: string;
  tags: string;
  name: string | null;
  session: string | null;
  user: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cost: number | null;
}

/** flowtrace_upsert_trace_infos's parameters (its unnest(…) column names), in order. */
export const START_TRACE_ROW: RowSpec<StartTraceRow> = {
  traceId: { column: "id", pgType: "text" },
  experimentId: { column: "exp", pgType: "bigint" },
  clientRequestId: { column: "client", pgType: "text" },
  requestTimeMs: { column: "t", pgType: "bigint" },
  durationMs: { column: "d", pgType: "bigint" },
  state: { column: "state", pgType: "text" },
  requestPreview: { column: "req", pgType: "text" },
  responsePreview: { column: "resp", pgType: "text" },
  metadata: { column: "meta", pgType: "jsonb" },
  tags: { column: "tags", pgType: "jsonb" },
  name: { column: "name", pgType: "text" },
  session: { column: "session", pgType: "text" },
  user: { column: "usr", pgType: "text" },
  inputTokens: { column: "i", pgType: "bigint" },
  outputTokens: { column: "o", pgType: "bigint" },
  totalTokens: { column: "tt", pgType: "bigint" },
  cost: { column: "c", pgType: "float8" },
};

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

/** The row of a StartTraceV3 request; validates (throws ApiError) before anything is written. */
export function startTraceRowOf(info: TraceInfoInput): StartTraceRow {
  const experimentId = validExperimentId(info.experimentId);
  const tags: Record<string, string> = { ...info.tags };
  // the server decides where spans are; a client value would make readers look in the wrong place
  delete tags[SPANS_LOCATION_TAG];
  const metadata = { ...info.metadata };
  const tokens = parseTokenUsage(metadata[TOKEN_USAGE_METADATA]);
  const duration = info.executionDurationMs ?? null;
  if (info.traceId.includes("\u0000")) throw invalidParameter("Invalid value for parameter 'trace_id' supplied: it contains a NUL character.");
  // PostgreSQL text cannot hold NUL characters: previews and the like lose them (as span fields do)
  return {
    traceId: info.traceId,
    experimentId,
    clientRequestId: nullableText(info.clientRequestId),
    requestTimeMs: Math.trunc(info.requestTimeMs),
    durationMs: duration === null ? null : Math.trunc(duration),
    state: info.state,
    requestPreview: nullableText(info.requestPreview),
    responsePreview: nullableText(info.responsePreview),
    metadata: safeJson(metadata),
    tags: safeJson(tags),
    name: nullableText(tags[TRACE_NAME_TAG]),
    session: nullableText(metadata[SESSION_METADATA]),
    user: nullableText(metadata[USER_METADATA]),
    inputTokens: tokens?.input ?? null,
    outputTokens: tokens?.output ?? null,
    totalTokens: tokens?.total ?? null,
    cost: parseCost(metadata[COST_METADATA]),
  };
}

// The merge itself is SQL, in one place: flowtrace_upsert_trace_infos (prisma/functions), which
// flowtrace_write also calls. Rows are its i_* parameters (START_TRACE_ROW), then now.
const UPSERT_TRACE_INFOS_SQL = {
  name: "flowtrace_upsert_trace_infos",
  text: `SELECT * FROM flowtrace_upsert_trace_infos(${placeholders(Object.keys(START_TRACE_ROW).length + 1)})`,
};

/** Why a StartTraceV3 row was not written: its experiment is missing or not active, or the trace is another experiment's (throws ApiError). */
export async function explainUnwritten(info: TraceInfoInput, db: Pool | PoolClient): Promise<never> {
  const expId = validExperimentId(info.experimentId);
  await checkExperiment(info.experimentId, db);
  const owner = await db.query<{ e: string }>("SELECT experiment_id::text AS e FROM traces WHERE trace_id = $1", [info.traceId]);
  if (owner.rows[0] && owner.rows[0].e !== expId) {
    throw invalidParameter(`Trace '${info.traceId}' already exists in another experiment: a trace cannot be moved to experiment '${info.experimentId}' or rewritten from it.`);
  }
  throw new Error(`trace ${info.traceId} was not written although experiment ${info.experimentId} is active`);
}

/** One StartTraceV3 row in one statement (inside a caller's transaction, or a batch's fallback). */
export async function writeTraceInfo(info: TraceInfoInput, db: Pool | PoolClient, row = startTraceRowOf(info)): Promise<StartedTrace> {
  // One round trip: the experiment is checked (and its artifact location read) by the statement itself; only
  // when it writes nothing is the experiment looked up, to say why.
  const [written] = await writeTraceInfos([row], db);
  return written ?? explainUnwritten(info, db);
}

/** StartTraceV3 rows as flowtrace_upsert_trace_infos and flowtrace_write take them: one array per column. */
export const traceInfoArrays = (rows: readonly StartTraceRow[]) => columnArrays(START_TRACE_ROW, rows);

/** Many StartTraceV3 rows (distinct trace ids) in one statement; answers the rows written. */
export async function writeTraceInfos(rows: readonly StartTraceRow[], db: Pool | PoolClient): Promise<StartedTrace[]> {
  const r = await db.query<StartedTrace>({ ...UPSERT_TRACE_INFOS_SQL, values: [...traceInfoArrays(rows), Date.now()] });
  return r.rows;
}
