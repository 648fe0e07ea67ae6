// The experiment a write names: its id's shape, its existence and stage, and the database's answers about it
// (raised by flowtrace_check_experiments) as the API errors MLflow gives.
import type { Pool, PoolClient } from "pg";
import { ApiError, invalidParameter, notFound } from "../../errors";
import { isExperimentId } from "../../experiment-id";

export function validExperimentId(experimentId: string): string {
  const id = String(experimentId ?? "").trim();
  if (!isExperimentId(id)) throw notFound(`Experiment with id '${experimentId}' does not exist.`);
  return id;
}

interface ExperimentStage {
  lifecycle_stage: string;
}

/** Throws unless the experiment exists and is active (one query; for writes that have nothing else to check it). */
export async function checkExperiment(experimentId: string, db: Pool | PoolClient): Promise<void> {
  const r = await db.query<ExperimentStage>("SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = $1", [validExperimentId(experimentId)]);
  const row = r.rows[0];
  if (!row) throw notFound(`Experiment with id '${experimentId}' does not exist.`);
  if (row.lifecycle_stage !== "active") {
    throw invalidParameter(`The experiment '${experimentId}' must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
  }
}

export function translateDbError(err: unknown, experimentId: string): unknown {
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
