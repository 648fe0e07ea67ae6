// Trace info reads and mutations behind the MLflow REST API (spec §5.1, §5.3, §6): get one or many infos
// with their assessments, set/delete tags (keeping the denormalized `name` column equal to the tag
// mlflow.traceName), delete traces by ids or by age in bounded batches (spans have no foreign key, so they
// are deleted explicitly), link traces to runs and prompts.
import { getPool } from "../db";
import { ApiError, invalidParameter, notFound } from "../errors";
import type { AssessmentRow, TraceInfoRow } from "./rows";
import { stringifyJson } from "../mlflow/json";
import { ASSESSMENT_JSON_SQL, assessmentFromRow, loadAssessments } from "./assessments";
import { parseExperimentId } from "./experiments";
import { withTransaction, type Db } from "./pg-tx";

export const TRACE_NAME_TAG = "mlflow.traceName";
export const LINKED_PROMPTS_TAG = "mlflow.linkedPrompts";
// MLflow's own bounds for trace tags and request metadata: its SQL store keeps keys in VARCHAR(250) and values
// in VARCHAR(8000) (trace_tags, trace_request_metadata), so no MLflow client sends more. MLflow sets no count,
// but one trace with 50,000 tags made tag searches run for minutes (issue #14): 1,000 of each is far more than
// any SDK writes (a handful) and keeps a trace's maps small enough to scan.
export const MAX_TRACE_TAG_KEY = 250;
export const MAX_TRACE_TAG_VALUE = 8000;
export const MAX_TRACE_TAGS = 1000;
export const MAX_TRACE_METADATA = 1000;
/** Traces removed per transaction by deleteTraces: keeps locks and WAL bursts short on big deletions. */
export const DELETE_BATCH = 1000;

export interface StoredTraceInfo extends TraceInfoRow {
  experimentId: string;
  requestTime: string;
  executionDuration: string | null;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  spanCount: number;
  rootSpanId: string | null;
}

/** The columns of a StoredTraceInfo (flowtrace_upsert_trace_infos answers with the same names). */
export const TRACE_INFO_COLUMNS = `trace_id AS "traceId", experiment_id AS "experimentId", client_request_id AS "clientRequestId",
  request_time AS "requestTime", execution_duration AS "executionDuration", state, request_preview AS "requestPreview",
  response_preview AS "responsePreview", trace_metadata AS metadata, tags, span_count AS "spanCount",
  root_span_id AS "rootSpanId"`;
const SELECT = `SELECT ${TRACE_INFO_COLUMNS} FROM traces`;

export const traceNotFound = (traceId: string) => notFound(`Trace with ID '${traceId}' not found.`);

export async function findTraceInfo(traceId: string, db: Db = getPool()): Promise<StoredTraceInfo | null> {
  const { rows } = await db.query<StoredTraceInfo>({ name: "flowtrace_find_trace_info", text: `${SELECT} WHERE trace_id = $1`, values: [traceId] });
  return rows[0] ?? null;
}

/** One trace info with its assessments, in one round trip (StartTraceV3's answer, GetTraceInfoV3). */
export async function getTraceInfoWithAssessments(traceId: string): Promise<{ info: StoredTraceInfo; assessments: AssessmentRow[] }> {
  const { rows } = await getPool().query<StoredTraceInfo & { _assessments: AssessmentRow[] }>({
    // named: prepared once per connection (parsing and planning it took longer than running it)
    name: "flowtrace_trace_info_with_assessments",
    text: `SELECT t.*, COALESCE((SELECT json_agg(${ASSESSMENT_JSON_SQL("a")} ORDER BY a.create_time, a.assessment_id)
                           FROM assessments a WHERE a.trace_id = t."traceId"), '[]'::json) AS _assessments
       FROM (${SELECT} WHERE trace_id = $1) t`,
    values: [traceId],
  });
  if (!rows[0]) throw traceNotFound(traceId);
  const { _assessments, ...info } = rows[0];
  return { info: info as StoredTraceInfo, assessments: _assessments.map(assessmentFromRow) };
}

export async function getTraceInfo(traceId: string): Promise<StoredTraceInfo> {
  const t = await findTraceInfo(traceId);
  if (!t) throw traceNotFound(traceId);
  return t;
}

/** Infos in the order asked for; unknown ids (or ids outside `experimentIds`, when given) are left out. */
export async function getTraceInfos(traceIds: string[], experimentIds?: string[]): Promise<StoredTraceInfo[]> {
  const ids = [...new Set(traceIds)];
  if (!ids.length) return [];
  const exps = experimentIds?.length ? experimentIds.map((e) => parseExperimentId(e)).filter((x): x is bigint => x !== null).map(String) : null;
  if (exps && !exps.length) return [];
  const { rows } = exps
    ? await getPool().query<StoredTraceInfo>(`${SELECT} WHERE trace_id = ANY($1::text[]) AND experiment_id = ANY($2::bigint[])`, [ids, exps])
    : await getPool().query<StoredTraceInfo>(`${SELECT} WHERE trace_id = ANY($1::text[])`, [ids]);
  const byId = new Map(rows.map((r) => [r.traceId, r]));
  return ids.map((i) => byId.get(i)).filter((x): x is StoredTraceInfo => !!x);
}

/** Infos with their assessments, ready for traceInfoV3Json. */
export async function withAssessments<T extends { traceId: string }>(infos: T[]): Promise<{ info: T; assessments: AssessmentRow[] }[]> {
  const map = await loadAssessments(infos.map((i) => i.traceId));
  return infos.map((info) => ({ info, assessments: map.get(info.traceId) ?? [] }));
}

/** The experiment a trace belongs to (authorization resolves trace access through it). */
export async function traceExperimentId(traceId: string): Promise<string | null> {
  const { rows } = await getPool().query<{ e: string }>({ name: "flowtrace_trace_experiment", text: `SELECT experiment_id AS e FROM traces WHERE trace_id = $1`, values: [traceId] });
  return rows[0]?.e ?? null;
}

function validateTraceTag(key: string, value: string): void {
  if (!key) throw invalidParameter("Missing value for required parameter 'key'. See the API docs for more information about request parameters.");
  if (key.length > MAX_TRACE_TAG_KEY) throw invalidParameter(`Trace tag key '${key.slice(0, 40)}…' exceeds the maximum length of ${MAX_TRACE_TAG_KEY} characters.`);
  if (value.length > MAX_TRACE_TAG_VALUE) throw invalidParameter(`Trace tag value for key '${key}' exceeds the maximum length of ${MAX_TRACE_TAG_VALUE} characters.`);
}

/**
 * Checks the tags and request metadata a client sends for one trace (StartTraceV3, the v2 start and end)
 * against the bounds above; 400 naming the first one over.
 */
export function validateTraceMaps(tags: Record<string, string>, metadata: Record<string, string>, where = "trace.trace_info"): void {
  const metadataName = where ? `${where}.trace_metadata` : "request_metadata";
  const tagsName = where ? `${where}.tags` : "tags";
  for (const [map, name, max] of [[tags, tagsName, MAX_TRACE_TAGS], [metadata, metadataName, MAX_TRACE_METADATA]] as const) {
    const keys = Object.keys(map);
    if (keys.length > max) throw invalidParameter(`Invalid value for parameter '${name}' supplied: ${keys.length} entries, more than the limit of ${max} per trace.`);
    for (const k of keys) {
      if (k.length > MAX_TRACE_TAG_KEY) throw invalidParameter(`Invalid value for parameter '${name}' supplied: the key '${k.slice(0, 40)}…' exceeds the maximum length of ${MAX_TRACE_TAG_KEY} characters.`);
      if (map[k].length > MAX_TRACE_TAG_VALUE) throw invalidParameter(`Invalid value for parameter '${name}' supplied: the value for key '${k.slice(0, 80)}' exceeds the maximum length of ${MAX_TRACE_TAG_VALUE} characters.`);
    }
  }
}

export async function setTraceTag(traceId: string, key: string, value: string): Promise<void> {
  validateTraceTag(key, value);
  // a new key only while the trace has fewer than MAX_TRACE_TAGS (an existing key can always be overwritten)
  const r = await getPool().query(
    `UPDATE traces SET tags = tags || jsonb_build_object($2::text, $3::text),
       name = CASE WHEN $2 = '${TRACE_NAME_TAG}' THEN $3 ELSE name END, updated_at = $4
     WHERE trace_id = $1 AND (tags ? $2 OR (SELECT count(*) FROM jsonb_object_keys(tags)) < $5)`,
    [traceId, key, value, Date.now(), MAX_TRACE_TAGS],
  );
  if (r.rowCount) return;
  if (!(await traceExperimentId(traceId))) throw traceNotFound(traceId);
  throw invalidParameter(`Trace with ID '${traceId}' already has ${MAX_TRACE_TAGS} tags, the limit per trace: delete one before adding '${key.slice(0, 80)}'.`);
}

export async function deleteTraceTag(traceId: string, key: string): Promise<void> {
  if (!key) throw invalidParameter("Missing value for required parameter 'key'. See the API docs for more information about request parameters.");
  const r = await getPool().query(
    `UPDATE traces SET tags = tags - $2::text, name = CASE WHEN $2 = '${TRACE_NAME_TAG}' THEN NULL ELSE name END, updated_at = $3
     WHERE trace_id = $1 AND tags ? $2`,
    [traceId, key, Date.now()],
  );
  if (r.rowCount) return;
  if (!(await traceExperimentId(traceId))) throw traceNotFound(traceId);
  throw notFound(`No trace tag with key '${key}' for trace with ID '${traceId}'`);
}

export interface DeleteTracesRequest {
  experimentId: string;
  maxTimestampMillis?: bigint;
  maxTraces?: number;
  requestIds?: string[];
}

async function deleteBatch(ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  return withTransaction(async (c) => {
    await c.query(`DELETE FROM spans WHERE trace_id = ANY($1::text[])`, [ids]);
    // assessments and run links go with the trace (ON DELETE CASCADE)
    const r = await c.query(`DELETE FROM traces WHERE trace_id = ANY($1::text[])`, [ids]);
    return r.rowCount ?? 0;
  });
}

/** Rules of abstract_store.delete_traces (spec §6). Returns the number of traces deleted. */
export async function deleteTraces(req: DeleteTracesRequest): Promise<number> {
  const hasIds = !!req.requestIds && req.requestIds.length > 0;
  const hasTime = req.maxTimestampMillis !== undefined;
  if (hasIds === hasTime) throw invalidParameter("Exactly one of 'max_timestamp_millis' and 'request_ids' must be specified.");
  if (hasIds && req.maxTraces !== undefined) throw invalidParameter("'max_traces' cannot be specified together with 'request_ids'.");
  if (req.maxTraces !== undefined && req.maxTraces <= 0) throw invalidParameter("'max_traces' must be a positive integer.");
  const exp = parseExperimentId(req.experimentId);
  if (exp === null) throw notFound(`No Experiment with id=${req.experimentId} exists`);
  const pool = getPool();
  let deleted = 0;
  if (hasIds) {
    const ids = [...new Set(req.requestIds!)];
    for (let i = 0; i < ids.length; i += DELETE_BATCH) {
      const { rows } = await pool.query<{ id: string }>(`SELECT trace_id AS id FROM traces WHERE experiment_id = $1 AND trace_id = ANY($2::text[])`, [exp.toString(), ids.slice(i, i + DELETE_BATCH)]);
      deleted += await deleteBatch(rows.map((r) => r.id));
    }
    return deleted;
  }
  let remaining = req.maxTraces ?? Infinity;
  while (remaining > 0) {
    const n = Math.min(DELETE_BATCH, remaining);
    const { rows } = await pool.query<{ id: string }>(
      `SELECT trace_id AS id FROM traces WHERE experiment_id = $1 AND request_time <= $2 ORDER BY request_time ASC, trace_id ASC LIMIT $3`,
      [exp.toString(), req.maxTimestampMillis!.toString(), n],
    );
    if (!rows.length) break;
    const d = await deleteBatch(rows.map((r) => r.id));
    deleted += d;
    remaining -= rows.length;
    if (rows.length < n) break;
  }
  return deleted;
}

export const MAX_LINK_TRACE_IDS = 100;

export async function linkTracesToRun(traceIds: string[], runId: string): Promise<void> {
  if (!runId) throw invalidParameter("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
  if (traceIds.length > MAX_LINK_TRACE_IDS) throw invalidParameter(`Cannot link more than ${MAX_LINK_TRACE_IDS} traces to a run in a single request. Provided ${traceIds.length} traces.`);
  if (!traceIds.length) return;
  await getPool().query(
    `INSERT INTO trace_run_links (trace_id, run_id) SELECT trace_id, $2 FROM traces WHERE trace_id = ANY($1::text[]) ON CONFLICT DO NOTHING`,
    [[...new Set(traceIds)], runId],
  );
}

/** Adds prompt versions to the trace's mlflow.linkedPrompts tag (a JSON list of {name, version}). */
export async function linkPromptsToTrace(traceId: string, prompts: { name: string; version: string }[]): Promise<void> {
  await withTransaction(async (c) => {
    const { rows } = await c.query<{ v: string | null }>(`SELECT tags->>'${LINKED_PROMPTS_TAG}' AS v FROM traces WHERE trace_id = $1 FOR UPDATE`, [traceId]);
    if (!rows.length) throw traceNotFound(traceId);
    let current: { name: string; version: string }[] = [];
    try {
      const parsed = rows[0].v ? JSON.parse(rows[0].v) : [];
      if (Array.isArray(parsed)) current = parsed.filter((p) => p && typeof p === "object").map((p) => ({ name: String(p.name), version: String(p.version) }));
    } catch {
      /* a malformed tag is replaced */
    }
    const seen = new Set(current.map((p) => `${p.name}\u0000${p.version}`));
    for (const p of prompts) {
      const k = `${p.name}\u0000${p.version}`;
      if (!seen.has(k)) {
        seen.add(k);
        current.push({ name: p.name, version: p.version });
      }
    }
    const value = stringifyJson(current);
    if (value.length > MAX_TRACE_TAG_VALUE) throw new ApiError("INVALID_PARAMETER_VALUE", `Too many prompts linked to trace '${traceId}'.`);
    await c.query(`UPDATE traces SET tags = tags || jsonb_build_object($2::text, $3::text), updated_at = $4 WHERE trace_id = $1`, [traceId, LINKED_PROMPTS_TAG, value, Date.now()]);
  });
}
