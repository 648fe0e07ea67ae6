// Assessments (spec §7): feedback and expectations on a trace or one of its spans. Overrides mark the
// overridden assessment invalid; deleting an override makes the original valid again. Values are JSON
// and are written and read as JSON text so 64-bit integers keep their digits.
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { getPool } from "../db";
import { invalidParameter, notFound } from "../errors";
import type { AssessmentRow } from "./rows";
import { parseJson, stringifyJson } from "../mlflow/json";
import { withTransaction, type Db } from "./pg-tx";

export type { AssessmentRow };

export const SOURCE_TYPES = ["SOURCE_TYPE_UNSPECIFIED", "HUMAN", "LLM_JUDGE", "CODE", "AI_JUDGE"] as const;

/** A validated assessment as the store writes it. `undefined` fields are left alone by updates. */
export interface AssessmentInput {
  assessmentId?: string;
  name?: string;
  spanId?: string | null;
  kind?: "feedback" | "expectation";
  value?: unknown;
  serializedValue?: unknown;
  error?: unknown;
  sourceType?: string;
  sourceId?: string | null;
  rationale?: string | null;
  metadata?: Record<string, string>;
  overrides?: string | null;
  valid?: boolean;
  createTimeMs?: number;
}

const SELECT = `SELECT assessment_id AS "assessmentId", trace_id AS "traceId", span_id AS "spanId", name, kind,
  value::text AS value, serialized_value::text AS "serializedValue", error::text AS error,
  source_type AS "sourceType", source_id AS "sourceId", rationale, metadata, overrides, valid,
  create_time AS "createTime", last_update_time AS "lastUpdateTime" FROM assessments`;

const fromJsonText = (v: unknown) => (typeof v === "string" ? parseJson(v) : v ?? null);

/** The assessment columns as one JSON object (JSON values as text, parsed losslessly by assessmentFromRow). */
export const ASSESSMENT_JSON_SQL = (a: string) => `json_build_object('assessmentId', ${a}.assessment_id, 'traceId', ${a}.trace_id, 'spanId', ${a}.span_id,
  'name', ${a}.name, 'kind', ${a}.kind, 'value', ${a}.value::text, 'serializedValue', ${a}.serialized_value::text, 'error', ${a}.error::text,
  'sourceType', ${a}.source_type, 'sourceId', ${a}.source_id, 'rationale', ${a}.rationale, 'metadata', ${a}.metadata, 'overrides', ${a}.overrides,
  'valid', ${a}.valid, 'createTime', ${a}.create_time, 'lastUpdateTime', ${a}.last_update_time)`;

export function assessmentFromRow(r: AssessmentRow): AssessmentRow {
  return toRow(r);
}

function toRow(r: AssessmentRow): AssessmentRow {
  return { ...r, value: fromJsonText(r.value), serializedValue: fromJsonText(r.serializedValue), error: fromJsonText(r.error) };
}

const jsonText = (v: unknown) => (v === undefined || v === null ? null : stringifyJson(v));

export function newAssessmentId(): string {
  return "a-" + randomBytes(16).toString("hex");
}

/** Assessments of many traces, oldest first within a trace. */
export async function loadAssessments(traceIds: string[], db: Db = getPool()): Promise<Map<string, AssessmentRow[]>> {
  const out = new Map<string, AssessmentRow[]>();
  if (!traceIds.length) return out;
  const { rows } = await db.query<AssessmentRow>(`${SELECT} WHERE trace_id = ANY($1::text[]) ORDER BY create_time, assessment_id`, [traceIds]);
  for (const r of rows) {
    const list = out.get(r.traceId) ?? [];
    list.push(toRow(r));
    out.set(r.traceId, list);
  }
  return out;
}

async function requireTrace(db: Db, traceId: string, lock = false): Promise<void> {
  const { rowCount } = await db.query(`SELECT 1 FROM traces WHERE trace_id = $1${lock ? " FOR UPDATE" : ""}`, [traceId]);
  if (!rowCount) throw notFound(`Trace with request_id '${traceId}' not found`);
}

const missingAssessment = (traceId: string, id: string) => notFound(`Assessment with ID '${id}' not found for trace '${traceId}'`);

/** Inserts assessments for a trace that exists, inside the caller's transaction. */
export async function insertAssessments(c: pg.PoolClient, traceId: string, inputs: AssessmentInput[]): Promise<AssessmentRow[]> {
  const out: AssessmentRow[] = [];
  for (const a of inputs) {
    if (!a.name) throw invalidParameter("Missing value for required parameter 'assessment_name'. See the API docs for more information about request parameters.");
    if (!a.kind) throw invalidParameter("An assessment must have either a feedback or an expectation value.");
    const now = Date.now();
    const id = a.assessmentId || newAssessmentId();
    if (a.overrides) {
      const r = await c.query(`UPDATE assessments SET valid = false, last_update_time = $3 WHERE assessment_id = $1 AND trace_id = $2`, [a.overrides, traceId, now]);
      if (!r.rowCount) throw missingAssessment(traceId, a.overrides);
    }
    const { rows } = await c.query<AssessmentRow>(
      `INSERT INTO assessments (assessment_id, trace_id, span_id, name, kind, value, serialized_value, error, source_type, source_id,
          rationale, metadata, overrides, valid, create_time, last_update_time)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11, $12::jsonb, $13, $14, $15, $15)
       ON CONFLICT (assessment_id) DO UPDATE SET span_id = EXCLUDED.span_id, name = EXCLUDED.name, kind = EXCLUDED.kind,
          value = EXCLUDED.value, serialized_value = EXCLUDED.serialized_value, error = EXCLUDED.error,
          source_type = EXCLUDED.source_type, source_id = EXCLUDED.source_id, rationale = EXCLUDED.rationale,
          metadata = EXCLUDED.metadata, overrides = EXCLUDED.overrides, valid = EXCLUDED.valid,
          last_update_time = EXCLUDED.last_update_time
       WHERE assessments.trace_id = EXCLUDED.trace_id
       RETURNING assessment_id`,
      [
        id,
        traceId,
        a.spanId ?? null,
        a.name,
        a.kind,
        jsonText(a.value),
        jsonText(a.serializedValue),
        jsonText(a.error),
        a.sourceType ?? "SOURCE_TYPE_UNSPECIFIED",
        a.sourceId ?? null,
        a.rationale ?? null,
        stringifyJson(a.metadata ?? {}),
        a.overrides ?? null,
        a.valid ?? true,
        now,
      ],
    );
    if (!rows.length) throw invalidParameter(`Assessment ID '${id}' already belongs to another trace.`);
    out.push(await getAssessmentIn(c, traceId, id));
  }
  return out;
}

async function getAssessmentIn(db: Db, traceId: string, id: string): Promise<AssessmentRow> {
  const { rows } = await db.query<AssessmentRow>(`${SELECT} WHERE assessment_id = $1 AND trace_id = $2`, [id, traceId]);
  if (!rows[0]) throw missingAssessment(traceId, id);
  return toRow(rows[0]);
}

export async function createAssessment(traceId: string, input: AssessmentInput): Promise<AssessmentRow> {
  return withTransaction(async (c) => {
    await requireTrace(c, traceId, true);
    const [row] = await insertAssessments(c, traceId, [{ ...input, assessmentId: undefined }]);
    await c.query(`UPDATE traces SET updated_at = $2 WHERE trace_id = $1`, [traceId, Date.now()]);
    return row;
  });
}

export async function getAssessment(traceId: string, id: string): Promise<AssessmentRow> {
  await requireTrace(getPool(), traceId);
  return getAssessmentIn(getPool(), traceId, id);
}

export type AssessmentField = "assessment_name" | "feedback" | "expectation" | "rationale" | "metadata" | "valid";

/** Changes only the masked fields; metadata is merged, new keys winning (spec §7.2). */
export async function updateAssessment(traceId: string, id: string, patch: AssessmentInput, mask: AssessmentField[]): Promise<AssessmentRow> {
  return withTransaction(async (c) => {
    await requireTrace(c, traceId, true);
    const { rows } = await c.query<AssessmentRow>(`${SELECT} WHERE assessment_id = $1 AND trace_id = $2 FOR UPDATE`, [id, traceId]);
    if (!rows[0]) throw missingAssessment(traceId, id);
    const cur = toRow(rows[0]);
    const sets: string[] = [];
    const vals: unknown[] = [id];
    const set = (col: string, v: unknown, cast = "") => {
      vals.push(v);
      sets.push(`${col} = $${vals.length}${cast}`);
    };
    const has = (f: AssessmentField) => mask.includes(f);
    if (has("feedback") && has("expectation")) throw invalidParameter("Cannot update both feedback and expectation of an assessment.");
    if (has("assessment_name")) {
      if (!patch.name) throw invalidParameter("Missing value for required parameter 'assessment_name'. See the API docs for more information about request parameters.");
      set("name", patch.name);
    }
    if (has("feedback") || has("expectation")) {
      const kind = has("feedback") ? "feedback" : "expectation";
      if (cur.kind !== kind) throw invalidParameter(`Cannot update the ${kind} of an assessment that is a ${cur.kind}.`);
      if (patch.kind && patch.kind !== kind) throw invalidParameter(`The update mask names '${kind}' but the assessment carries a ${patch.kind}.`);
      set("value", jsonText(patch.value), "::jsonb");
      set("serialized_value", jsonText(patch.serializedValue), "::jsonb");
      set("error", jsonText(patch.error), "::jsonb");
    }
    if (has("rationale")) set("rationale", patch.rationale ?? null);
    if (has("metadata")) set("metadata", stringifyJson({ ...((cur.metadata as Record<string, string>) ?? {}), ...(patch.metadata ?? {}) }), "::jsonb");
    if (has("valid") && patch.valid !== undefined) set("valid", patch.valid);
    set("last_update_time", Date.now());
    await c.query(`UPDATE assessments SET ${sets.join(", ")} WHERE assessment_id = $1`, vals);
    await c.query(`UPDATE traces SET updated_at = $2 WHERE trace_id = $1`, [traceId, Date.now()]);
    return getAssessmentIn(c, traceId, id);
  });
}

/** Idempotent; re-validates the assessment the deleted one had overridden. */
export async function deleteAssessment(traceId: string, id: string): Promise<void> {
  await withTransaction(async (c) => {
    const { rows } = await c.query<{ overrides: string | null }>(`DELETE FROM assessments WHERE assessment_id = $1 AND trace_id = $2 RETURNING overrides`, [id, traceId]);
    const overridden = rows[0]?.overrides;
    if (overridden) await c.query(`UPDATE assessments SET valid = true, last_update_time = $3 WHERE assessment_id = $1 AND trace_id = $2`, [overridden, traceId, Date.now()]);
    if (rows.length) await c.query(`UPDATE traces SET updated_at = $2 WHERE trace_id = $1`, [traceId, Date.now()]);
  });
}
