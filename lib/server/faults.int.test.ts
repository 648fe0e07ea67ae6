// Fault tests against real processes (issue #14, defects 3 and 4): each starts its own `flowtrace server`
// with its own embedded PostgreSQL in a temporary data directory, breaks something under load, and counts
// what was sent, acknowledged, stored and lost.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import pg from "pg";
import { ROOT } from "./paths";
import { startServerProcess, type ChildServer } from "./test-runner";

const hex = (n: number) => [...crypto.getRandomValues(new Uint8Array(n))].map((x) => x.toString(16).padStart(2, "0")).join("");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A live process (a zombie is not). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return true;
  }
}

/** postmaster.pid: pid, data dir, start time, port, socket dir, listen address, … */
function postmaster(dataDir: string): { pid: number; port: number } | undefined {
  const f = path.join(dataDir, "pg", "postmaster.pid");
  if (!existsSync(f)) return undefined;
  const lines = readFileSync(f, "utf8").split("\n");
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/** A direct connection to the embedded cluster of `dataDir` (the credentials embedded-pg.ts creates). */
async function embeddedClient(dataDir: string): Promise<pg.Client> {
  const pm = postmaster(dataDir);
  assert.ok(pm, "embedded PostgreSQL running");
  const c = new pg.Client({ connectionString: `postgresql://flowtrace:flowtrace@127.0.0.1:${pm.port}/flowtrace` });
  c.on("error", () => {});
  await c.connect();
  return c;
}

interface Sent {
  traceId: string;
  spanIds: string[];
}

function otlpBody(t: Sent): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: t.spanIds.map((spanId, i) => ({
              traceId: t.traceId,
              spanId,
              ...(i ? { parentSpanId: t.spanIds[0] } : {}),
              name: i ? `child-${i}` : "root",
              startTimeUnixNano: String(now),
              endTimeUnixNano: String(now + 1_000_000n),
              status: { code: 1 },
            })),
          },
        ],
      },
    ],
  });
}

function newTrace(spans: number): Sent {
  return { traceId: hex(16), spanIds: Array.from({ length: spans }, () => hex(8)) };
}

async function sendOtlp(url: string, t: Sent, signal?: AbortSignal): Promise<Response> {
  return fetch(url + "/v1/traces", { method: "POST", headers: { "content-type": "application/json", "x-mlflow-experiment-id": "0" }, body: otlpBody(t), signal });
}

/** Acknowledged spans missing from the database. */
async function lostSpans(dataDir: string, acked: Sent[]): Promise<{ stored: number; lost: string[] }> {
  const c = await embeddedClient(dataDir);
  try {
    const { rows } = await c.query<{ trace_id: string; span_id: string }>("SELECT trace_id, span_id FROM spans");
    const have = new Set(rows.map((r) => `${r.trace_id.replace(/^tr-/, "")}/${r.span_id}`));
    const lost: string[] = [];
    let stored = 0;
    for (const t of acked) {
      for (const s of t.spanIds) {
        if (have.has(`${t.traceId}/${s}`)) stored++;
        else lost.push(`${t.traceId}/${s}`);
      }
    }
    return { stored, lost };
  } finally {
    await c.end();
  }
}

function newDataDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `ft-fault-${tag}-`));
}

async function stopQuietly(s: ChildServer | undefined) {
  if (!s) return;
  if (s.child.exitCode === null && s.child.signalCode === null) await s.stop();
}

test("SIGKILL of the embedded postmaster under OTLP load: 503 + Retry-After, then recovery without a restart; every acknowledged span stored", { timeout: 90_000 }, async () => {
  const dataDir = newDataDir("pgkill");
  let server: ChildServer | undefined;
  try {
    server = await startServerProcess(null, ["--data-dir", dataDir]);
    const url = server.url;
    const acked: Sent[] = [];
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    let sent = 0;
    let retried = 0;
    let killedAt = 0;
    let recoveredAt = 0;
    let stop = false;
    // four exporters: one trace per request, of 3 spans (the shared group-commit writer) or, for one of them,
    // 100 (a COPY write on a connection of its own); a 503 is retried after a pause (as an OTLP exporter
    // does, honouring Retry-After, shortened here), any other failure is recorded
    const sender = async (spans = 3) => {
      while (!stop) {
        const t = newTrace(spans);
        for (let attempt = 0; !stop; attempt++) {
          sent++;
          let r: Response;
          try {
            r = await sendOtlp(url, t, AbortSignal.timeout(15_000));
            await r.arrayBuffer();
          } catch (err) {
            problems.push(`fetch failed: ${(err as Error).message}`);
            await sleep(100);
            continue;
          }
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status === 200) {
            acked.push(t);
            if (killedAt && !recoveredAt && attempt > 0) recoveredAt = Date.now();
            break;
          }
          if (r.status === 503) {
            if (!r.headers.get("retry-after")) problems.push("503 without Retry-After");
            retried++;
            await sleep(100);
            continue;
          }
          problems.push(`status ${r.status}`);
          break;
        }
      }
    };
    // the REST API meanwhile: 200, or 503 TEMPORARILY_UNAVAILABLE with Retry-After, nothing else
    const restStatuses = new Map<number, number>();
    const rest = async () => {
      while (!stop) {
        try {
          const r = await fetch(url + "/api/2.0/mlflow/experiments/get?experiment_id=0", { signal: AbortSignal.timeout(15_000) });
          const body = (await r.json()) as { error_code?: string };
          restStatuses.set(r.status, (restStatuses.get(r.status) ?? 0) + 1);
          if (r.status === 503 && (body.error_code !== "TEMPORARILY_UNAVAILABLE" || !r.headers.get("retry-after"))) problems.push(`REST 503 ${JSON.stringify(body)}`);
          else if (r.status !== 200 && r.status !== 503) problems.push(`REST status ${r.status} ${JSON.stringify(body)}`);
        } catch (err) {
          problems.push(`REST fetch failed: ${(err as Error).message}`);
        }
        await sleep(50);
      }
    };
    // readiness (must go 503 while PostgreSQL is down) and liveness (200 throughout)
    const ready = new Map<number, number>();
    let liveFailures = 0;
    const probes = async () => {
      while (!stop) {
        const [r, l] = await Promise.all([fetch(url + "/health/ready").catch(() => undefined), fetch(url + "/health").catch(() => undefined)]);
        if (r) ready.set(r.status, (ready.get(r.status) ?? 0) + 1);
        if (l?.status !== 200) liveFailures++;
        await r?.arrayBuffer();
        await l?.arrayBuffer();
        await sleep(50);
      }
    };
    const load = [sender(), sender(), sender(), sender(100), rest(), probes()];
    await sleep(1500);
    const pm = postmaster(dataDir)!;
    process.kill(pm.pid, "SIGKILL");
    killedAt = Date.now();
    // until the exporters get through again, then a little more load on the restarted database
    const until = Date.now() + 30_000;
    while (!recoveredAt && Date.now() < until && server.child.exitCode === null) await sleep(100);
    await sleep(1500);
    stop = true;
    await Promise.all(load);

    const ackedSpans = acked.reduce((n, t) => n + t.spanIds.length, 0);
    const summary = `postmaster kill: sent ${sent} requests (${retried} retried after 503), acknowledged ${acked.length} traces / ${ackedSpans} spans; ` +
      `OTLP statuses ${JSON.stringify(Object.fromEntries(statuses))}, REST ${JSON.stringify(Object.fromEntries(restStatuses))}, /health/ready ${JSON.stringify(Object.fromEntries(ready))}; ` +
      `back ${recoveredAt ? recoveredAt - killedAt : "never"} ms after the kill`;
    // (before the fix PostgreSQL never came back: report what was seen, then fail)
    if (!recoveredAt || server.child.exitCode !== null) console.log(`${summary}; problems: ${[...new Set(problems)].slice(0, 5).join(" | ")}`);
    assert.equal(server.child.exitCode, null, "the server is still running");
    assert.ok(recoveredAt, "ingestion recovered without restarting the server");
    const { stored, lost } = await lostSpans(dataDir, acked);
    console.log(`${summary}; stored ${stored}, lost ${lost.length}`);
    assert.deepEqual(problems, []);
    assert.ok((statuses.get(503) ?? 0) + (restStatuses.get(503) ?? 0) > 0, "503s while PostgreSQL was down");
    assert.ok((ready.get(503) ?? 0) > 0, "/health/ready said 503 while PostgreSQL was down");
    assert.equal(liveFailures, 0, "/health (liveness) answered 200 throughout");
    assert.deepEqual(lost, [], "every acknowledged span is stored");
    assert.equal(stored, ackedSpans);
    assert.doesNotMatch(server.output(), /uncaughtException|unhandledRejection/);
    const again = postmaster(dataDir);
    assert.ok(again && again.pid !== pm.pid && isRunning(again.pid), "a new postmaster runs");
  } finally {
    await stopQuietly(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("SIGKILL of the server, then a start on the same data directory: starts, data kept; refused while a live server owns it", { timeout: 90_000 }, async () => {
  const dataDir = newDataDir("srvkill");
  let first: ChildServer | undefined;
  let second: ChildServer | undefined;
  try {
    first = await startServerProcess(null, ["--data-dir", dataDir]);
    const acked: Sent[] = [];
    for (let i = 0; i < 20; i++) {
      const t = newTrace(2);
      const r = await sendOtlp(first.url, t);
      await r.arrayBuffer();
      if (r.status === 200) acked.push(t);
    }
    // a second server on the same directory while the first lives: refused
    const refused = spawnSync(process.execPath, [path.join(ROOT, "bin", "flowtrace.mjs"), "server", "--no-build", "--port", "0", "--data-dir", dataDir], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, DATABASE_URL: "" },
    });
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /in use by/);

    const orphan = postmaster(dataDir)!;
    first.child.kill("SIGKILL");
    await new Promise((r) => first!.child.once("exit", r));
    assert.ok(isRunning(orphan.pid), "the embedded PostgreSQL outlived its server (the orphan this test is about)");

    second = await startServerProcess(null, ["--data-dir", dataDir]);
    assert.match(second.output(), new RegExp(`stopping the embedded PostgreSQL \\(pid ${orphan.pid}\\) left running by flowtrace server pid ${first.child.pid}`));
    assert.ok(!isRunning(orphan.pid), "the orphan was stopped");
    const t = newTrace(2);
    const r = await sendOtlp(second.url, t);
    await r.arrayBuffer();
    assert.equal(r.status, 200);
    acked.push(t);
    const { stored, lost } = await lostSpans(dataDir, acked);
    console.log(`server SIGKILL: sent ${acked.length} requests, acknowledged ${acked.length} traces / ${acked.length * 2} spans, stored ${stored}, lost ${lost.length}`);
    assert.deepEqual(lost, []);
  } finally {
    await stopQuietly(second);
    if (first?.child.exitCode === null) first.child.kill("SIGKILL");
    // an orphan left by a failed assertion must not outlive the test
    const pm = postmaster(dataDir);
    if (pm && isRunning(pm.pid)) process.kill(pm.pid, "SIGINT");
    await sleep(500);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("SIGTERM during ingest: requests in flight complete, then the server and its PostgreSQL stop", { timeout: 90_000 }, async () => {
  const dataDir = newDataDir("sigterm");
  let server: ChildServer | undefined;
  let locker: pg.Client | undefined;
  try {
    server = await startServerProcess(null, ["--data-dir", dataDir]);
    const url = server.url;
    const warm = await sendOtlp(url, newTrace(1));
    assert.equal(warm.status, 200);
    // hold the spans table so that the requests below are certainly in flight when SIGTERM arrives
    locker = await embeddedClient(dataDir);
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE spans IN SHARE MODE");
    const inflight = Array.from({ length: 6 }, (_, i) => newTrace(i % 2 ? 100 : 2)); // small (shared writer) and big (COPY) requests
    const results = inflight.map((t) =>
      sendOtlp(url, t).then(
        async (r) => ({ status: r.status, text: await r.text() }),
        (err: Error) => ({ status: 0, text: `${err.message} ${(err.cause as Error)?.message ?? ""}` }),
      ),
    );
    // wait until all six are waiting on the lock in PostgreSQL
    for (let i = 0; i < 100; i++) {
      const { rows } = await locker.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE relation = 'spans'::regclass AND NOT granted");
      if (Number(rows[0].n) >= 2) break;
      await sleep(50);
    }
    await sleep(300);
    const exited = new Promise<number | null>((r) => server!.child.once("exit", (code) => r(code)));
    server.child.kill("SIGTERM");
    await sleep(800);
    // stopped accepting: a new connection is refused while the six are still waiting
    const late = await fetch(url + "/health").then(
      (r) => `status ${r.status}`,
      (err: Error) => String((err.cause as NodeJS.ErrnoException)?.code ?? err.message),
    );
    // (before the fix, SIGTERM stopped PostgreSQL at once, this session with it)
    await locker.query("COMMIT").catch(() => {});
    const answers = await Promise.all(results);
    const code = await exited;
    const acked = inflight.filter((_, i) => answers[i].status === 200);
    const bad = answers.filter((a) => a.status !== 200);
    await locker.end().catch(() => {});
    locker = undefined;
    assert.equal(postmaster(dataDir), undefined, "PostgreSQL stopped with the server");
    // read what was stored from a fresh server on the same directory
    server = await startServerProcess(null, ["--data-dir", dataDir]);
    const { stored, lost } = await lostSpans(dataDir, acked);
    const ackedSpans = acked.reduce((n, t) => n + t.spanIds.length, 0);
    console.log(`SIGTERM: sent ${inflight.length} requests in flight, acknowledged ${acked.length} (${ackedSpans} spans), stored ${stored}, lost ${lost.length}; a new connection during the drain: ${late}; exit code ${code}`);
    assert.deepEqual(bad, [], "every request in flight was answered 200");
    assert.equal(late, "ECONNREFUSED");
    assert.equal(code, 0);
    assert.deepEqual(lost, []);
  } finally {
    await locker?.query("ROLLBACK").catch(() => {});
    await locker?.end().catch(() => {});
    await stopQuietly(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
