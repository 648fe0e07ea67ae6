// The one database handle of the app: a pg Pool (bulk paths: COPY, hand-written search SQL) and a Prisma
// client on top of the same pool (everything else). Created lazily: DATABASE_URL is set by the server
// command at start, after modules may already have been imported.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";

// int8 (bigint) columns come back from raw pg queries as strings; parse counts etc. at the call site.
const g = globalThis as unknown as { __flowtracePool?: pg.Pool; __flowtracePrisma?: PrismaClient };

export function getPool(): pg.Pool {
  if (!g.__flowtracePool) {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set (start the app with `npm start`)");
    g.__flowtracePool = new pg.Pool({ connectionString, max: Number(process.env.FLOWTRACE_DB_POOL_SIZE ?? 10) });
    g.__flowtracePool.on("error", (err) => console.error("flowtrace: idle database client error:", err.message));
  }
  return g.__flowtracePool;
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

/** Closes the pool (tests, benchmarks). */
export async function closeDb(): Promise<void> {
  await g.__flowtracePrisma?.$disconnect();
  await g.__flowtracePool?.end();
  g.__flowtracePrisma = undefined;
  g.__flowtracePool = undefined;
}
