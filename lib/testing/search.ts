// Seeding helpers for search tests and benchmarks: plain SQL inserts of experiments, traces, spans,
// assessments and run links (the ingest path is not needed to exercise search).
import { randomBytes } from "node:crypto";
import type pg from "pg";

export async function createExperiment(pool: pg.Pool, name: string, opts: { tags?: Record<string, string>; creationTime?: number; lifecycleStage?: string } = {}): Promise<string> {
  const now = opts.creationTime ?? Date.now();
  const { rows } = await pool.query(
    `INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES ($1, '', $2, $3, $3) RETURNING experiment_id`,
    [name, opts.lifecycleStage ?? "active", now],
  );
  const id = String(rows[0].experiment_id);
  await pool.query(`UPDATE experiments SET artifact_location = 'mlflow-artifacts:/' || experiment_id WHERE experiment_id = $1`, [id]);
  for (const [key, value] of Object.entries(opts.tags ?? {})) {
    await pool.query(`INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3)`, [id, key, value]);
  }
  return id;
}

export interface SeedTrace {
  traceId?: string;
  requestTime: number;
  executionDuration?: number | null;
  endTime?: number | null;
  state?: string;
  name?: string | null;
  sessionId?: string | null;
  userId?: string | null;
  clientRequestId?: string | null;
  requestPreview?: string | null;
  responsePreview?: string | null;
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  totalTokens?: number | null;
  cost?: number | null;
  spanCount?: number;
  errorCount?: number;
  spans?: SeedSpan[];
  assessments?: SeedAssessment[];
  runLinks?: string[];
}

export interface SeedSpan {
  spanId?: string;
  name: string;
  spanType?: string | null;
  statusCode?: string;
  attributes?: Record<string, unknown>;
  inputs?: string | null;
  outputs?: string | null;
}

export interface SeedAssessment {
  name: string;
  kind: "feedback" | "expectation";
  value?: unknown;
  serializedValue?: { serialization_format: string; value: string };
  valid?: boolean;
}

export const randomTraceId = () => `tr-${randomBytes(16).toString("hex")}`;

export async function insertTrace(pool: pg.Pool, experimentId: string, t: SeedTrace): Promise<string> {
  const traceId = t.traceId ?? randomTraceId();
  await pool.query(
    `INSERT INTO traces (trace_id, experiment_id, client_request_id, request_time, execution_duration, end_time, state, request_preview, response_preview,
       trace_metadata, tags, name, session_id, user_id, total_tokens, cost, span_count, error_count, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
    [
      traceId,
      experimentId,
      t.clientRequestId ?? null,
      t.requestTime,
      t.executionDuration ?? null,
      t.endTime ?? null,
      t.state ?? "OK",
      t.requestPreview ?? null,
      t.responsePreview ?? null,
      JSON.stringify(t.metadata ?? {}),
      JSON.stringify(t.tags ?? {}),
      t.name ?? null,
      t.sessionId ?? null,
      t.userId ?? null,
      t.totalTokens ?? null,
      t.cost ?? null,
      t.spanCount ?? t.spans?.length ?? 0,
      t.errorCount ?? 0,
      Date.now(),
    ],
  );
  for (const [i, s] of (t.spans ?? []).entries()) {
    await pool.query(
      `INSERT INTO spans (trace_id, span_id, experiment_id, name, span_type, start_time_ns, status_code, attributes, inputs, outputs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [traceId, s.spanId ?? String(i + 1).padStart(16, "0"), experimentId, s.name, s.spanType ?? null, BigInt(t.requestTime) * 1_000_000n, s.statusCode ?? "OK", JSON.stringify(s.attributes ?? {}), s.inputs ?? null, s.outputs ?? null],
    );
  }
  for (const a of t.assessments ?? []) {
    await pool.query(
      `INSERT INTO assessments (assessment_id, trace_id, name, kind, value, serialized_value, valid, create_time, last_update_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
      [`a-${randomBytes(16).toString("hex")}`, traceId, a.name, a.kind, a.value === undefined ? null : JSON.stringify(a.value), a.serializedValue ? JSON.stringify(a.serializedValue) : null, a.valid ?? true, Date.now()],
    );
  }
  for (const run of t.runLinks ?? []) await pool.query(`INSERT INTO trace_run_links (trace_id, run_id) VALUES ($1, $2)`, [traceId, run]);
  return traceId;
}
