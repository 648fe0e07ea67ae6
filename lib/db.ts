// The database handles of the app: a pg Pool (bulk paths: COPY, hand-written search SQL) and a Prisma
// client on top of the same pool (everything else), plus a small pool of its own for the ingest writer
// (lib/store/ingest.ts). Created lazily: DATABASE_URL is set by the server command at start, after modules
// may already have been imported. Kept on globalThis: the server (lib/server/serve.ts) and Next's bundle of
// the routes load this module separately and must share one set of pools and one request scope.
import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { statementTimeoutMs } from "./errors";
import { PrismaClient } from "./generated/prisma/client";

/** The database work of one HTTP request, cancelled when its client goes away (see requestScope). */
export interface RequestScope {
  closed: boolean;
  /** clients checked out of the API pool while serving the request */
  clients: Set<pg.PoolClient>;
}

// int8 (bigint) columns come back from raw pg queries as strings; parse counts etc. at the call site.
const g = globalThis as unknown as {
  __flowtracePool?: pg.Pool;
  __flowtraceIngestPool?: pg.Pool;
  __flowtracePrisma?: PrismaClient;
  __flowtraceScope?: AsyncLocalStorage<RequestScope>;
  __flowtraceDbErrorLogged?: number;
};

const scopeStorage = (g.__flowtraceScope ??= new AsyncLocalStorage<RequestScope>());

function databaseUrl(): string {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set (start the app with `npm start`)");
  return connectionString;
}

const positiveInt = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : dflt;
};

// When PostgreSQL goes away every pooled connection reports it at once (10 lines for one event): one line a
// second is enough to say what happened.
function logConnectionError(err: Error) {
  const now = Date.now();
  if (now - (g.__flowtraceDbErrorLogged ?? 0) < 1000) return;
  g.__flowtraceDbErrorLogged = now;
  console.error(`flowtrace: database connection lost: ${err.message} (the pool reconnects on the next request)`);
}

/**
 * A pool whose connections never raise an unhandled 'error': pg-pool listens for errors only on idle
 * clients, so a connection checked out when the server dies (a held writer connection, a transaction, a
 * COPY) emitted 'error' with no listener, i.e. an uncaughtException ("terminating connection due to
 * unexpected postmaster exit") that took the process down or left it wedged. The query in flight still
 * fails with its own error; the broken client is discarded on release and the pool opens fresh ones.
 */
function makePool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on("error", logConnectionError);
  pool.on("connect", (client) => client.on("error", logConnectionError));
  return pool;
}

/**
 * The API pool (Prisma and the search SQL). Each connection starts with statement_timeout
 * (FLOWTRACE_STATEMENT_TIMEOUT_MS, default 30 s) in its startup packet, so no query pays an extra round trip
 * for it; a connection waits at most 10 s for a free slot (then 503, retryable) instead of forever.
 */
export function getPool(): pg.Pool {
  if (!g.__flowtracePool) {
    const pool = makePool({
      connectionString: databaseUrl(),
      max: positiveInt("FLOWTRACE_DB_POOL_SIZE", 10),
      statement_timeout: statementTimeoutMs() || undefined,
      connectionTimeoutMillis: 10_000,
    });
    scopeConnections(pool);
    g.__flowtracePool = pool;
  }
  return g.__flowtracePool;
}

/**
 * The ingest writer's own connections (FLOWTRACE_INGEST_POOL_SIZE, default 4: the group-commit writer holds
 * one, big OTLP batches take one each): searches on the API pool cannot exhaust them, so a burst of slow
 * searches no longer stops ingestion (issue #14: 12 slow searches stalled ingest for ~2 minutes). No
 * statement_timeout here: a write is bounded work, and stopping one half-way only makes the client resend it.
 */
export function getIngestPool(): pg.Pool {
  if (!g.__flowtraceIngestPool) {
    g.__flowtraceIngestPool = makePool({
      connectionString: databaseUrl(),
      max: positiveInt("FLOWTRACE_INGEST_POOL_SIZE", 4),
      connectionTimeoutMillis: 30_000,
    });
  }
  return g.__flowtraceIngestPool;
}

export function getPrisma(): PrismaClient {
  if (!g.__flowtracePrisma) g.__flowtracePrisma = new PrismaClient({ adapter: new PrismaPg(getPool()) });
  return g.__flowtracePrisma;
}

/** `prisma.trace.findMany(…)` etc., connected on first use. */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_t, prop) {
    const client = getPrisma() as unknown as Record<string | symbol, unknown>;
    const v = client[prop];
    return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(client) : v;
  },
});

// ------------------------------------------------------------------ cancellation when the client goes away

/**
 * Runs `fn` (the handling of one HTTP request) so that the API-pool connections it checks out are known;
 * `cancelRequestQueries` then stops what they run. The server calls it for API and UI requests, not for
 * OTLP (whose writes go through the shared writer on the ingest pool, never cancelled for one client).
 */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return scopeStorage.run(scope, fn);
}

export function newRequestScope(): RequestScope {
  return { closed: false, clients: new Set() };
}

/**
 * The client went away: cancel the queries its request is running (PostgreSQL's cancel request, on a
 * connection of its own, so it works when the pool is exhausted) and refuse it new connections. A search
 * that ran past 30 s kept running for minutes after its client left before this (issue #14). The cancel
 * goes to the backend while the request still holds the connection; the window in which the query ends
 * and the connection goes back to the pool and out to another request before the cancel arrives is the
 * time of one local round trip.
 */
export function cancelRequestQueries(scope: RequestScope): void {
  scope.closed = true;
  for (const client of scope.clients) cancelBackend(client);
}

function cancelBackend(client: pg.PoolClient): void {
  const c = client as unknown as { processID: number | null; secretKey: number | null; host: string; port: number };
  if (!c.processID) return;
  // pg's Connection: the protocol-level cancel request that pg.Client.cancel sends (untyped in @types/pg)
  const con = new pg.Connection() as unknown as {
    on(e: string, f: () => void): void;
    once(e: string, f: () => void): void;
    connect(portOrPath: number | string, host?: string): void;
    cancel(processID: number, secretKey: number): void;
    stream: { destroy(): void };
  };
  con.on("error", () => {});
  con.once("connect", () => {
    con.cancel(c.processID!, c.secretKey!);
    // PostgreSQL closes a cancel connection itself; this is in case it does not
    setTimeout(() => con.stream.destroy(), 2000).unref();
  });
  if (c.host?.startsWith("/")) con.connect(`${c.host}/.s.PGSQL.${c.port}`);
  else con.connect(c.port, c.host);
}

type ConnectCallback = (err: Error | undefined, client?: pg.PoolClient, done?: (release?: Error | boolean) => void) => void;

/** Makes `pool.connect` (which pool.query and Prisma's adapter use) record its clients in the caller's scope. */
function scopeConnections(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (cb: ConnectCallback) => void;
  (pool as unknown as { connect: unknown }).connect = function (cb?: ConnectCallback) {
    // the scope is read here, in the caller's context: pg-pool's wait queue calls back in the context of
    // whichever request released the connection
    const scope = scopeStorage.getStore();
    if (!cb) {
      return new Promise<pg.PoolClient>((resolve, reject) => (pool.connect as (cb: ConnectCallback) => void)((err, client) => (err ? reject(err) : resolve(client!))));
    }
    if (!scope) return connect(cb);
    if (scope.closed) {
      const err = Object.assign(new Error("canceling statement due to user request (the client closed the connection)"), { code: "57014" });
      process.nextTick(() => cb(err));
      return;
    }
    connect((err, client) => {
      if (err || !client) return cb(err);
      scope.clients.add(client);
      const release = client.release;
      client.release = (e?: Error | boolean) => {
        scope.clients.delete(client);
        return release.call(client, e);
      };
      cb(undefined, client, client.release);
    });
  };
}

// ------------------------------------------------------------------ readiness and shutdown

/**
 * Whether the database answers now (the readiness probe): a connection of its own and SELECT 1, at most
 * `timeoutMs`, so an exhausted pool or a dead server shows as "not ready" instead of hanging the probe.
 */
export async function databaseReady(timeoutMs = 2000): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: databaseUrl(), connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message || String((err as NodeJS.ErrnoException).code) };
  } finally {
    client.end().catch(() => {});
  }
}

/** Closes the pools (tests, benchmarks, server shutdown). */
export async function closeDb(): Promise<void> {
  await g.__flowtracePrisma?.$disconnect();
  await g.__flowtracePool?.end();
  await g.__flowtraceIngestPool?.end();
  g.__flowtracePrisma = undefined;
  g.__flowtracePool = undefined;
  g.__flowtraceIngestPool = undefined;
}
