// Applies prisma/migrations/*/migration.sql in order, keeping Prisma's `_prisma_migrations` table so that
// `prisma migrate deploy` and this migrator agree wherever both run. One transaction per migration; a
// session advisory lock serializes servers that start together on one database.
//
// Then the repeatable step: prisma/functions/*.sql hold the current definition of every SQL function and
// trigger (CREATE OR REPLACE, one per file), so that a function reads in one place instead of as the last of
// several migrations that restate it. A file is applied when its checksum differs from the one recorded in
// `_flowtrace_functions` (new or changed), all such files in one transaction, after the migrations (a
// function may use a column a migration adds). Functions first, then `*.trigger.sql` (a trigger needs its
// function), each group in name order. Migrations stay history: new SQL for a function goes in its file (a
// changed signature needs a DROP of the old one in the file; a function that goes away, a DROP in a migration).
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

const LOCK_KEY = 72_707_369; // arbitrary, constant: "flowtrace migrations"

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
  /** function and trigger files (re)applied because they were new or changed */
  functions: string[];
}

const checksum = (sql: string) => createHash("sha256").update(sql).digest("hex");

export async function listMigrations(dir: string): Promise<{ name: string; sql: string; checksum: string }[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const out = [];
  for (const name of entries) {
    const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
    out.push({ name, sql, checksum: checksum(sql) });
  }
  return out;
}

/** The function and trigger definitions, in the order they are applied (see the top of this file). */
export async function listFunctions(dir: string): Promise<{ name: string; sql: string; checksum: string }[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith(".sql"));
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return [];
    throw err;
  }
  const isTrigger = (f: string) => f.endsWith(".trigger.sql");
  files.sort((a, b) => Number(isTrigger(a)) - Number(isTrigger(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const out = [];
  for (const name of files) {
    const sql = await readFile(path.join(dir, name), "utf8");
    out.push({ name, sql, checksum: checksum(sql) });
  }
  return out;
}

/** Applies the function files that are new or changed since they were last applied (one transaction). */
async function applyFunctions(client: pg.Client, dir: string): Promise<string[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS "_flowtrace_functions" (
    "name" TEXT PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now()
  )`);
  const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_flowtrace_functions"`);
  const done = new Map(rows.map((r) => [r.name, r.checksum]));
  const changed = (await listFunctions(dir)).filter((f) => done.get(f.name) !== f.checksum);
  if (changed.length === 0) return [];
  await client.query("BEGIN");
  let current = "";
  try {
    for (const f of changed) {
      current = f.name;
      await client.query(f.sql);
      await client.query(
        `INSERT INTO "_flowtrace_functions" (name, checksum) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`,
        [f.name, f.checksum],
      );
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw new Error(`function file ${current} failed: ${(err as Error).message}`);
  }
  return changed.map((f) => f.name);
}

/** Where the function files of a migrations folder live: prisma/functions next to prisma/migrations. */
export const functionsDirOf = (migrationsDir: string) => path.join(migrationsDir, "..", "functions");

export async function migrate(databaseUrl: string, migrationsDir: string, functionsDir = functionsDirOf(migrationsDir)): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    const applied: string[] = [];
    let alreadyApplied = 0;
    for (const m of await listMigrations(migrationsDir)) {
      const prev = done.get(m.name);
      if (prev?.finished_at) {
        if (prev.checksum !== m.checksum) {
          throw new Error(`migration ${m.name} was modified after it was applied (checksum mismatch)`);
        }
        alreadyApplied++;
        continue;
      }
      if (prev && !prev.finished_at) {
        throw new Error(`migration ${m.name} failed earlier and needs manual resolution (see _prisma_migrations)`);
      }
      await client.query("BEGIN");
      try {
        const id = randomUUID();
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
          [id, m.checksum, m.name],
        );
        await client.query(m.sql);
        await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
        await client.query("COMMIT");
        applied.push(m.name);
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
    }
    const functions = await applyFunctions(client, functionsDir);
    return { applied, alreadyApplied, functions };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

/** Creates the default experiment "0" once (MLflow's "Default"). Safe to run concurrently. */
export async function ensureDefaultExperiment(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const now = Date.now();
    await client.query(
      `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
       VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', $1, $1)
       ON CONFLICT DO NOTHING`,
      [now],
    );
  } finally {
    await client.end();
  }
}
