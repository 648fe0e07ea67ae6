// What every benchmark does around its measurements: a current build, a fresh embedded PostgreSQL in a
// temporary folder (migrated when asked), the production server as a child process when asked, and the
// cleanup of all three whatever happens; and an experiment made directly in the database.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ensureBuild } from "../../lib/server/build";
import { startEmbeddedPostgres } from "../../lib/server/embedded-pg";
import { migrate } from "../../lib/server/migrate";
import { ROOT } from "../../lib/server/paths";
import { startServerProcess } from "../../lib/server/test-runner";

type Server = Awaited<ReturnType<typeof startServerProcess>>;

export interface BenchEnv {
  /** the temporary folder holding the database */
  dir: string;
  /** the embedded PostgreSQL's connection string */
  dbUrl: string;
  /** starts the production server on that database (stopped at the end) */
  startServer(extraArgs?: string[], extraEnv?: Record<string, string | undefined>): Promise<Server>;
}

export async function withBenchDatabase<T>(
  name: string,
  opts: { migrate?: boolean; postgresFlags?: string[] },
  body: (env: BenchEnv) => Promise<T>,
): Promise<T> {
  await ensureBuild(ROOT, (m) => console.log(m));
  const dir = mkdtempSync(path.join(os.tmpdir(), `flowtrace-bench-${name}-`));
  const db = await startEmbeddedPostgres(dir, opts.postgresFlags ? { postgresFlags: opts.postgresFlags } : undefined);
  let server: Server | undefined;
  try {
    if (opts.migrate) await migrate(db.url, path.join(ROOT, "prisma", "migrations"));
    return await body({
      dir,
      dbUrl: db.url,
      startServer: async (extraArgs, extraEnv) => (server = await startServerProcess(db.url, extraArgs, extraEnv)),
    });
  } finally {
    await server?.stop();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An experiment made directly in the database (no server needed); its id. */
export async function createBenchExperiment(client: pg.Client | pg.Pool, name: string): Promise<string> {
  const now = Date.now();
  const { rows } = await client.query<{ experiment_id: string }>(
    `INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES ($1, 'mlflow-artifacts:/bench', $2, $2) RETURNING experiment_id`,
    [name, now],
  );
  return rows[0].experiment_id;
}

/** Runs a benchmark's main function; a failure prints and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
