// Experiments (spec §2): create / get / get-by-name / rename / soft delete / restore / tags. Names are
// unique across active and deleted experiments, as in MLflow; artifact locations default to the proxied
// `mlflow-artifacts:/<id>` so both SDKs upload trace data through this server.
import type pg from "pg";
import { parseExperimentId } from "../experiment-id";
import { getPool } from "../db";
import { alreadyExists, ApiError, invalidParameter, notFound } from "../errors";
import type { ExperimentRow } from "./rows";
import { isUniqueViolation, withTransaction, type Db } from "./pg-tx";

export type { ExperimentRow };

export const DEFAULT_EXPERIMENT_ID = "0";

const SELECT = `SELECT e.experiment_id AS "experimentId", e.name, e.artifact_location AS "artifactLocation",
  e.lifecycle_stage AS "lifecycleStage", e.creation_time AS "creationTime", e.last_update_time AS "lastUpdateTime",
  COALESCE((SELECT json_agg(json_build_object('key', t.key, 'value', t.value) ORDER BY t.key)
            FROM experiment_tags t WHERE t.experiment_id = e.experiment_id), '[]'::json) AS tags
  FROM experiments e`;

// (the definition is lib/experiment-id.ts; re-exported for this module's callers)
export { parseExperimentId };

const noSuchId = (id: string | number | bigint) => notFound(`No Experiment with id=${id} exists`);

function validateName(name: string): void {
  if (!name || !name.trim()) throw invalidParameter("Invalid experiment name: ''. Experiment name must be a non-empty string.");
  if (name.length > 500) throw invalidParameter(`Experiment name exceeds the maximum length of 500 characters.`);
}

function validateTag(key: string, value: string): void {
  if (!key) throw invalidParameter("Missing value for required parameter 'key'. See the API docs for more information about request parameters.");
  if (key.length > 250) throw invalidParameter(`Tag key '${key.slice(0, 40)}…' exceeds the maximum length of 250 characters.`);
  if (value.length > 5000) throw invalidParameter(`Tag value for key '${key}' exceeds the maximum length of 5000 characters.`);
}

function dedupeTags(tags: { key: string; value: string }[]) {
  return [...new Map(tags.map((t) => [t.key, t])).values()];
}

export async function createExperiment(input: { name: string; artifactLocation?: string; tags?: { key: string; value: string }[] }): Promise<string> {
  validateName(input.name);
  for (const t of input.tags ?? []) validateTag(t.key, t.value);
  const location = input.artifactLocation?.trim() || null;
  try {
    return await withTransaction(async (c) => {
      const now = Date.now();
      const { rows } = await c.query<{ id: string }>(
        `WITH next AS (SELECT nextval(pg_get_serial_sequence('experiments', 'experiment_id')) AS id)
         INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
         SELECT id, $1, COALESCE($2, 'mlflow-artifacts:/' || id), 'active', $3, $3 FROM next
         RETURNING experiment_id AS id`,
        [input.name, location, now],
      );
      const id = rows[0].id;
      const tags = dedupeTags(input.tags ?? []);
      if (tags.length) {
        await c.query(`INSERT INTO experiment_tags (experiment_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS x(k, v)`, [id, tags.map((t) => t.key), tags.map((t) => t.value)]);
      }
      return String(id);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyExists(`Experiment(name=${input.name}) already exists.`);
    throw err;
  }
}

export async function findExperiment(id: string | number | bigint, db: Db = getPool()): Promise<ExperimentRow | null> {
  const n = parseExperimentId(id);
  if (n === null) return null;
  const { rows } = await db.query<ExperimentRow>(`${SELECT} WHERE e.experiment_id = $1`, [n.toString()]);
  return rows[0] ?? null;
}

export async function getExperiment(id: string | number | bigint): Promise<ExperimentRow> {
  const e = await findExperiment(id);
  if (!e) throw noSuchId(id);
  return e;
}

/** The active experiment of that name, else a deleted one (spec §2.2). */
export async function getExperimentByName(name: string): Promise<ExperimentRow> {
  const { rows } = await getPool().query<ExperimentRow>(`${SELECT} WHERE e.name = $1 ORDER BY (e.lifecycle_stage = 'active') DESC LIMIT 1`, [name]);
  if (!rows[0]) throw notFound(`Could not find experiment with name '${name}'`);
  return rows[0];
}

export async function getExperimentsByIds(ids: (string | bigint)[]): Promise<ExperimentRow[]> {
  const valid = ids.map((i) => parseExperimentId(i)).filter((x): x is bigint => x !== null).map(String);
  if (!valid.length) return [];
  const { rows } = await getPool().query<ExperimentRow>(`${SELECT} WHERE e.experiment_id = ANY($1::bigint[])`, [valid]);
  const order = new Map(valid.map((v, i) => [v, i]));
  return rows.sort((a, b) => (order.get(String(a.experimentId)) ?? 0) - (order.get(String(b.experimentId)) ?? 0));
}

/** Throws unless the experiment exists and is active (what writing traces into it requires). */
export async function requireActiveExperiment(id: string | number | bigint, db: Db = getPool()): Promise<bigint> {
  const n = parseExperimentId(id);
  if (n === null) throw noSuchId(id);
  const { rows } = await db.query<{ stage: string }>(`SELECT lifecycle_stage AS stage FROM experiments WHERE experiment_id = $1`, [n.toString()]);
  if (!rows[0]) throw noSuchId(id);
  if (rows[0].stage !== "active") throw invalidParameter(`The experiment ${id} must be in the 'active' state. Current state is ${rows[0].stage}.`);
  return n;
}

async function lockExperiment(c: pg.PoolClient, id: string | number | bigint): Promise<{ id: bigint; stage: string }> {
  const n = parseExperimentId(id);
  if (n === null) throw noSuchId(id);
  const { rows } = await c.query<{ stage: string }>(`SELECT lifecycle_stage AS stage FROM experiments WHERE experiment_id = $1 FOR UPDATE`, [n.toString()]);
  if (!rows[0]) throw noSuchId(id);
  return { id: n, stage: rows[0].stage };
}

export async function renameExperiment(id: string, newName: string): Promise<void> {
  validateName(newName);
  try {
    await withTransaction(async (c) => {
      const e = await lockExperiment(c, id);
      if (e.stage !== "active") throw invalidParameter(`Cannot rename a non-active experiment.`);
      await c.query(`UPDATE experiments SET name = $2, last_update_time = $3 WHERE experiment_id = $1`, [e.id.toString(), newName, Date.now()]);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyExists(`Experiment(name=${newName}) already exists.`);
    throw err;
  }
}

export async function deleteExperiment(id: string): Promise<void> {
  if (parseExperimentId(id) === 0n) throw invalidParameter("Cannot delete the default experiment '0'. This is an internally reserved experiment.");
  await withTransaction(async (c) => {
    const e = await lockExperiment(c, id);
    if (e.stage === "deleted") return;
    await c.query(`UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = $2 WHERE experiment_id = $1`, [e.id.toString(), Date.now()]);
  });
}

export async function restoreExperiment(id: string): Promise<void> {
  await withTransaction(async (c) => {
    const e = await lockExperiment(c, id);
    if (e.stage === "active") return;
    await c.query(`UPDATE experiments SET lifecycle_stage = 'active', last_update_time = $2 WHERE experiment_id = $1`, [e.id.toString(), Date.now()]);
  });
}

export async function setExperimentTag(id: string, key: string, value: string): Promise<void> {
  validateTag(key, value);
  await withTransaction(async (c) => {
    const e = await lockExperiment(c, id);
    if (e.stage !== "active") throw invalidParameter(`The experiment ${id} must be in the 'active' state. Current state is ${e.stage}.`);
    await c.query(`INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (experiment_id, key) DO UPDATE SET value = EXCLUDED.value`, [e.id.toString(), key, value]);
    await c.query(`UPDATE experiments SET last_update_time = $2 WHERE experiment_id = $1`, [e.id.toString(), Date.now()]);
  });
}

export async function deleteExperimentTag(id: string, key: string): Promise<void> {
  await withTransaction(async (c) => {
    const e = await lockExperiment(c, id);
    if (e.stage !== "active") throw invalidParameter(`The experiment ${id} must be in the 'active' state. Current state is ${e.stage}.`);
    const r = await c.query(`DELETE FROM experiment_tags WHERE experiment_id = $1 AND key = $2`, [e.id.toString(), key]);
    if (!r.rowCount) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `No tag with name: ${key} in experiment with id ${id}`);
    await c.query(`UPDATE experiments SET last_update_time = $2 WHERE experiment_id = $1`, [e.id.toString(), Date.now()]);
  });
}
