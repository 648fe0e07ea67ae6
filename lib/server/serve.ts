// `flowtrace server` (npm start): database (embedded or DATABASE_URL) → migrations → default experiment →
// Next.js production server on one port, with OTLP (lib/tracing/otlp-node.ts) and the MLflow REST API
// (lib/server/api-node.ts) served on node:http ahead of Next. Fails fast with one clear line on bad input,
// and never leaves a half-started embedded PostgreSQL behind.
import http from "node:http";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { closeDb } from "../db";
import { ensureBuild } from "./build";
import { ConfigError, parseServerArgs, redactUrl, type ServerConfig } from "./config";
import { startEmbeddedPostgres, StartupError, type EmbeddedDb } from "./embedded-pg";
import { createHardening, exposureWarning } from "./hardening";
import { ensureDefaultExperiment, migrate } from "./migrate";
import { ROOT } from "./paths";
import { isOtlpTracesRequest, serveOtlpTraces } from "../tracing/otlp-node";
import { earlyAnswerFor, fastRouteFor, loadNextRouteTable, sendEarlyAnswer, serveFastRoute } from "./api-node";
import { startCpuProfile, stopCpuProfile } from "./cpu-profile";


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

export async function checkDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    throw new StartupError(`cannot connect to the database ${redactUrl(url)}: ${(err as Error).message || (err as NodeJS.ErrnoException).code}`);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface RunningServer {
  url: string;
  databaseUrl: string;
  close(): Promise<void>;
}

export async function startServer(cfg: ServerConfig, log: (m: string) => void = console.log): Promise<RunningServer> {
  await assertPortFree(cfg.host, cfg.port);
  if (!cfg.noBuild) ensureBuild(ROOT, log);
  let embedded: EmbeddedDb | undefined;
  let databaseUrl = cfg.databaseUrl;
  try {
    if (databaseUrl) {
      await checkDatabase(databaseUrl);
    } else {
      embedded = await startEmbeddedPostgres(cfg.dataDir, { log });
      databaseUrl = embedded.url;
      if (!cfg.quiet) log(`flowtrace: embedded PostgreSQL running, data in ${cfg.dataDir}`);
    }
    const m = await migrate(databaseUrl, path.join(ROOT, "prisma", "migrations"));
    if (m.applied.length && !cfg.quiet) log(`flowtrace: applied migrations ${m.applied.join(", ")}`);
    await ensureDefaultExperiment(databaseUrl);

    process.env.DATABASE_URL = databaseUrl;
    process.env.NEXT_TELEMETRY_DISABLED = "1";
    process.env.FLOWTRACE_AUTH = cfg.auth ? "1" : "0";
    const auth = cfg.auth ? await (await import("../auth/startup")).prepareAuth() : undefined;
    const gate = cfg.auth ? (await import("../auth/gate")).createAuthGate() : undefined;
    const harden = createHardening({
      allowedHosts: cfg.allowedHosts,
      corsAllowedOrigins: cfg.corsAllowedOrigins,
      frameOptions: process.env.MLFLOW_SERVER_X_FRAME_OPTIONS,
      disabled: cfg.disableSecurityMiddleware,
    });
    const createNext = (await import("next")).default as unknown as (o: object) => {
      prepare(): Promise<void>;
      getRequestHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
    };
    const app = createNext({ dev: false, dir: ROOT, hostname: cfg.host, port: cfg.port, quiet: true });
    await app.prepare();
    const handle = app.getRequestHandler();
    // The MLflow REST API and /version, /health bypass Next's router too (lib/server/api-node.ts), except
    // when FLOWTRACE_FAST_API=0 (then Next serves them, as under `next dev`)
    const routes = process.env.FLOWTRACE_FAST_API === "0" ? null : loadNextRouteTable(ROOT);
    if (!routes && process.env.FLOWTRACE_FAST_API !== "0") console.warn("flowtrace: warning: no MLflow API route in the Next build's routes manifest; Next serves /api");
    const fail = (res: http.ServerResponse) => (err: unknown) => {
      console.error(err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error_code: "INTERNAL_ERROR", message: "Internal server error" }));
    };
    const server = http.createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
      if (harden(req, res)) return;
      // OTLP span export bypasses Next's router (lib/tracing/otlp-node.ts): per-request overhead is latency
      // the Python client's user feels on every span
      const next = () => {
        const early = earlyAnswerFor(req.method, req.url);
        if (early) return Promise.resolve(sendEarlyAnswer(res, early));
        if (isOtlpTracesRequest(req)) return serveOtlpTraces(req, res);
        const fast = routes && fastRouteFor(req.method, req.url, routes);
        return fast ? serveFastRoute(req, res, fast) : handle(req, res);
      };
      if (!gate) return void next().catch(fail(res));
      gate(req, res).then((pass) => (pass ? next() : undefined)).catch(fail(res));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) => reject(new StartupError(err.code === "EADDRINUSE" ? `port ${cfg.port} on ${cfg.host} is already in use (choose another with --port)` : `cannot listen on ${cfg.host}:${cfg.port}: ${err.message}`)));
      server.listen(cfg.port, cfg.host, () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    const shownHost = cfg.host === "0.0.0.0" || cfg.host === "::" ? "localhost" : cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host;
    const url = `http://${shownHost}:${port}`;
    const warning = exposureWarning(cfg.host, cfg.auth);
    if (warning) log(warning);
    if (auth?.adminCreated && !cfg.quiet) log(`flowtrace: created admin account '${auth.adminCreated}'`);
    if (auth?.setupToken) log(`flowtrace: no admin account yet: create one at ${url}/login/setup?token=${auth.setupToken}`);
    return {
      url,
      databaseUrl,
      async close() {
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
        await closeDb().catch(() => {});
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop().catch(() => {});
    throw err;
  }
}

export async function serveMain(argv: string[]): Promise<void> {
  let running: RunningServer | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      await stopCpuProfile();
      await running?.close();
    } finally {
      process.exit(code);
    }
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  try {
    startCpuProfile();
    const cfg = parseServerArgs(argv);
    running = await startServer(cfg);
    console.log(`flowtrace: listening on ${running.url}`);
    if (!cfg.databaseUrl) console.log("flowtrace: using the embedded PostgreSQL (set DATABASE_URL to use your own)");
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StartupError) {
      console.error(`flowtrace: error: ${err.message}`);
    } else {
      console.error(`flowtrace: error: ${(err as Error).message}`);
    }
    await stop(1);
  }
}
