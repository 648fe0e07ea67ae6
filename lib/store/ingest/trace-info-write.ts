// StartTraceV3 (and v2 StartTrace/EndTrace) rows: the merge with a stored row, one row or many per statement.
// The given trace-info fields win; spans, tags and metadata already stored are kept (union); the
// spans-location tag stays while spans are held. A trace stored under another experiment is neither moved nor
// changed (the WHERE: no row comes back, and explainUnwritten says why; issue #14 — with the experiment in the
// request deciding, anyone allowed to write one experiment could rewrite the traces of any other).
import type { Pool, PoolClient } from "pg";
import { invalidParameter } from "../../errors";
import type { TraceState } from "../../tracing/model";
import { TRACE_INFO_COLUMNS, type StoredTraceInfo } from "../traces";
import { checkExperiment, validExperimentId } from "./experiment-check";
import { nullableText, safeJson } from "./json-text";
import { columnArrays, rowValues, type RowSpec } from "./row-spec";
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
export interface TraceInfoRow {
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

/** TRACE_INFO_BATCH_SQL's unnest(…) columns and flowtrace_write's i_* parameters, in order. */
export const TRACE_INFO_ROW: RowSpec<TraceInfoRow> = {
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
export function traceInfoRowOf(info: TraceInfoInput): TraceInfoRow {
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

// flowtrace_write (prisma/functions/flowtrace_write.sql) runs the same statement as TRACE_INFO_BATCH_SQL: a
// change here needs the same change there.
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

const TRACE_INFO_ONE_SQL = `${TRACE_INFO_INSERT}
     SELECT $1, e.experiment_id, $3, $4, $5, $4::bigint + $5::bigint, $6, $7, $8, $9::jsonb,
        $10::jsonb || jsonb_build_object('${ARTIFACT_LOCATION_TAG}', rtrim(e.artifact_location, '/') || '/traces/' || $1 || '/artifacts'),
        $11, $12, $13, $14, $15, $16, $17, true, $18
       FROM experiments e WHERE e.experiment_id = $2 AND e.lifecycle_stage = 'active'
     ${TRACE_INFO_CONFLICT}`;

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
export async function writeTraceInfo(info: TraceInfoInput, db: Pool | PoolClient, row = traceInfoRowOf(info)): Promise<StartedTrace> {
  // One round trip: the experiment is checked (and its artifact location read) by the statement itself; only
  // when it writes nothing is the experiment looked up, to say why.
  const r = await db.query<StartedTrace>({ name: "flowtrace_upsert_trace_info", text: TRACE_INFO_ONE_SQL, values: [...rowValues(TRACE_INFO_ROW, row), Date.now()] });
  if (r.rowCount === 0) return explainUnwritten(info, db);
  return r.rows[0];
}

/** StartTraceV3 rows as TRACE_INFO_BATCH_SQL and flowtrace_write take them: one array per column. */
export const traceInfoArrays = (rows: readonly TraceInfoRow[]) => columnArrays(TRACE_INFO_ROW, rows);

/** Many StartTraceV3 rows (distinct trace ids) in one statement; answers the rows written. */
export async function writeTraceInfos(rows: readonly TraceInfoRow[], db: Pool | PoolClient): Promise<StartedTrace[]> {
  const r = await db.query<StartedTrace>({ name: "flowtrace_upsert_trace_infos", text: TRACE_INFO_BATCH_SQL, values: [...traceInfoArrays(rows), Date.now()] });
  return r.rows;
}
