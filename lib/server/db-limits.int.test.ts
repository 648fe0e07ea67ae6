// Database-side limits (issue #14, defect 7): a statement timeout on API queries, queries cancelled when the
// HTTP client goes away, and ingestion that slow API requests cannot starve of connections. A server of its
// own on the test database, with a small API pool and a short timeout; slowness is made with locks held by
// the test (deterministic, unlike a query that is merely expensive).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { uniqueName } from "../testing/http";
import { startServerProcess, type ChildServer } from "./test-runner";

const TIMEOUT_MS = 4000;
let server: ChildServer;
let db: pg.Client;

before(async () => {
  server = await startServerProcess(process.env.DATABASE_URL!, [], { FLOWTRACE_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS), FLOWTRACE_DB_POOL_SIZE: "2" });
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});

after(async () => {
  await db?.end().catch(() => {});
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (n: number) => [...crypto.getRandomValues(new Uint8Array(n))].map((x) => x.toString(16).padStart(2, "0")).join("");

function search(signal?: AbortSignal) {
  return fetch(server.url + "/api/3.0/mlflow/traces/search", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "0" } }] }),
    signal,
  });
}

/** Backends of the test database waiting for a lock (the server's queries stuck behind the test's lock). */
async function waitingOnLocks(): Promise<number> {
  // (inside a transaction pg_stat_activity is a snapshot taken at its first read: a backend connected since
  // would never show)
  await db.query("SELECT pg_stat_clear_snapshot()");
  const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
  return Number(rows[0].n);
}

async function withLock<T>(sql: string, fn: () => Promise<T>): Promise<T> {
  await db.query("BEGIN");
  try {
    await db.query(sql);
    return await fn();
  } finally {
    await db.query("ROLLBACK");
  }
}

test("a query past FLOWTRACE_STATEMENT_TIMEOUT_MS is stopped: 504 DEADLINE_EXCEEDED, not a request hanging for minutes", { timeout: 30_000 }, async () => {
  await withLock("LOCK TABLE traces IN ACCESS EXCLUSIVE MODE", async () => {
    const t0 = Date.now();
    const r = await search(AbortSignal.timeout(TIMEOUT_MS + 8000));
    const body = (await r.json()) as { error_code: string; message: string };
    const took = Date.now() - t0;
    console.log(`search blocked by a lock: ${r.status} ${body.error_code} after ${took} ms (timeout ${TIMEOUT_MS} ms)`);
    assert.equal(r.status, 504);
    assert.equal(body.error_code, "DEADLINE_EXCEEDED");
    assert.match(body.message, /FLOWTRACE_STATEMENT_TIMEOUT_MS/);
    assert.ok(took >= TIMEOUT_MS - 100, `${took} ms`);
  });
});

test("a search whose client goes away is cancelled in PostgreSQL", { timeout: 30_000 }, async () => {
  await withLock("LOCK TABLE traces IN ACCESS EXCLUSIVE MODE", async () => {
    const ac = new AbortController();
    const pending = search(ac.signal).catch(() => undefined);
    let waiting = 0;
    for (let i = 0; i < 100 && waiting === 0; i++) {
      await sleep(50);
      waiting = await waitingOnLocks();
    }
    if (!waiting) console.log((await db.query("SELECT pid, state, wait_event_type, wait_event, left(query, 120) AS q FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")).rows);
    assert.ok(waiting >= 1, "the search is waiting in PostgreSQL");
    const t0 = Date.now();
    ac.abort();
    await pending;
    // well before the statement timeout (TIMEOUT_MS) would end it
    let left = waiting;
    while (left > 0 && Date.now() - t0 < TIMEOUT_MS / 2) {
      await sleep(50);
      left = await waitingOnLocks();
    }
    console.log(`client gone: the query waiting in PostgreSQL ${left ? "still runs" : "was cancelled"} ${Date.now() - t0} ms later`);
    assert.equal(left, 0, "the query was cancelled when its client went away");
  });
});

test("API requests holding every API connection do not stop ingestion (its own connections)", { timeout: 30_000 }, async () => {
  const name = uniqueName("starve");
  const created = await fetch(server.url + "/api/2.0/mlflow/experiments/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  const { experiment_id: id } = (await created.json()) as { experiment_id: string };
  await withLock(`SELECT 1 FROM experiments WHERE experiment_id = ${Number(id)} FOR UPDATE`, async () => {
    // four renames of the locked experiment: both API connections (FLOWTRACE_DB_POOL_SIZE=2) wait on the row
    const renames = Array.from({ length: 4 }, (_, i) =>
      fetch(server.url + "/api/2.0/mlflow/experiments/update", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ experiment_id: id, new_name: `${name}-${i}` }) }).then(
        (r) => r.status,
        () => 0,
      ),
    );
    for (let i = 0; i < 40 && (await waitingOnLocks()) < 2; i++) await sleep(50);
    const now = BigInt(Date.now()) * 1_000_000n;
    const traceId = hex(16);
    const otlp = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId, spanId: hex(8), name: "root", startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n), status: { code: 1 } }] }] }] };
    const t0 = Date.now();
    const r = await fetch(server.url + "/v1/traces", {
      method: "POST",
      headers: { "content-type": "application/json", "x-mlflow-experiment-id": "0" },
      body: JSON.stringify(otlp),
      signal: AbortSignal.timeout(TIMEOUT_MS - 1000), // answered before the statement timeout frees the API pool
    }).catch((err: Error) => ({ status: err.name }));
    const took = Date.now() - t0;
    console.log(`ingest while the API pool is held: ${r.status} in ${took} ms`);
    assert.equal(r.status, 200);
    await db.query("ROLLBACK");
    await db.query("BEGIN");
    await Promise.all(renames);
  });
});
