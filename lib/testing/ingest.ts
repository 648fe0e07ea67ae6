// Test helpers for the ingestion tests: experiments made directly in the database (so these tests do not
// depend on the REST API) and span builders.
import { getPool } from "../db";
import type { NormalizedSpan } from "../tracing/model";
import { uniqueName } from "./http";
import { randomBytes } from "node:crypto";

export async function createTestExperiment(prefix = "ingest"): Promise<string> {
  const pool = getPool();
  const now = Date.now();
  const { rows } = await pool.query<{ experiment_id: string }>(
    `INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES ($1, 'pending', $2, $2) RETURNING experiment_id`,
    [uniqueName(prefix), now],
  );
  const id = rows[0].experiment_id;
  await pool.query(`UPDATE experiments SET artifact_location = $2 WHERE experiment_id = $1`, [id, `mlflow-artifacts:/${id}`]);
  return id;
}

export const hex = (bytes: number) => randomBytes(bytes).toString("hex");

export function makeSpan(p: Partial<NormalizedSpan> & { traceId: string; name: string }): NormalizedSpan {
  return {
    spanId: hex(8),
    parentSpanId: null,
    startTimeNs: 1_700_000_000_000_000_000n,
    endTimeNs: 1_700_000_001_000_000_000n,
    status: { code: "OK", message: "" },
    attributes: {},
    events: [],
    ...p,
  };
}

export async function traceRow(traceId: string): Promise<Record<string, any> | undefined> {
  const { rows } = await getPool().query(`SELECT * FROM traces WHERE trace_id = $1`, [traceId]);
  return rows[0];
}

export async function spanRows(traceId: string): Promise<Record<string, any>[]> {
  const { rows } = await getPool().query(`SELECT * FROM spans WHERE trace_id = $1 ORDER BY start_time_ns, span_id`, [traceId]);
  return rows;
}
