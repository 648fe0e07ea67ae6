// The `flowtrace server` command as a user meets it: start, stop, start again, bad input, two instances.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { uniqueName } from "../testing/http";
import { ROOT } from "./paths";
import { startServerProcess } from "./test-runner";

const bin = path.join(ROOT, "bin", "flowtrace.mjs");

function runServer(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, "server", "--no-build", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, DATABASE_URL: "", ...env },
  });
}

async function api(base: string, method: string, p: string, body?: unknown) {
  const res = await fetch(base + p, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
}

test("embedded database: data survives a stop and a start", async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "ft-persist-"));
  try {
    const first = await startServerProcess(null, ["--data-dir", dataDir]);
    const name = uniqueName("persist");
    let created;
    try {
      created = await api(first.url, "POST", "/api/2.0/mlflow/experiments/create", { name });
    } finally {
      await first.stop();
    }
    assert.equal(created.status, 200, JSON.stringify(created.json));
    assert.equal(existsSync(path.join(dataDir, "pg", "postmaster.pid")), false, "embedded PostgreSQL stopped cleanly");

    const second = await startServerProcess(null, ["--data-dir", dataDir]);
    try {
      const got = await api(second.url, "GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${name}`);
      assert.equal(got.status, 200);
      assert.equal(got.json.experiment.experiment_id, created.json.experiment_id);
      const dflt = await api(second.url, "GET", "/api/2.0/mlflow/experiments/get?experiment_id=0");
      assert.equal(dflt.json.experiment.name, "Default");
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a bad database URL fails fast with one clear line and exit code 1", () => {
  const r = runServer(["--port", "0", "--backend-store-uri", "postgresql://nobody@127.0.0.1:1/none"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^flowtrace: error: cannot connect to the database postgresql:\/\/nobody@127\.0\.0\.1:1\/none/m);
  const scheme = runServer(["--backend-store-uri", "sqlite:///mlflow.db"]);
  assert.equal(scheme.status, 1);
  assert.match(scheme.stderr, /unsupported database URL scheme 'sqlite:'/);
});

test("a port in use fails fast and leaves no embedded PostgreSQL behind", async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "ft-port-"));
  try {
    const r = runServer(["--port", String(port), "--data-dir", dataDir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.equal(existsSync(path.join(dataDir, "pg", "postmaster.pid")), false);
  } finally {
    blocker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("an unwritable data directory fails fast with a clear error", () => {
  const r = runServer(["--port", "0", "--data-dir", "/etc/hostname/flowtrace-data"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /data directory \/etc\/hostname\/flowtrace-data is not writable/);
});

test("two server instances on one database agree: write through one, read through the other", async () => {
  const a = await startServerProcess(process.env.DATABASE_URL!);
  const b = await startServerProcess(process.env.DATABASE_URL!);
  try {
    const name = uniqueName("scale-out");
    const created = await api(a.url, "POST", "/api/2.0/mlflow/experiments/create", { name });
    assert.equal(created.status, 200);
    const id = created.json.experiment_id;
    const got = await api(b.url, "GET", `/api/2.0/mlflow/experiments/get?experiment_id=${id}`);
    assert.equal(got.json.experiment.name, name);
    // a trace ingested through A is searchable through B
    const traceHex = [...crypto.getRandomValues(new Uint8Array(16))].map((x) => x.toString(16).padStart(2, "0")).join("");
    const now = BigInt(Date.now()) * 1_000_000n;
    const otlp = {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: traceHex, spanId: "00000000000000a1", name: "root", startTimeUnixNano: String(now), endTimeUnixNano: String(now + 5_000_000n), status: { code: 1 } }] }] }],
    };
    const sent = await fetch(a.url + "/v1/traces", { method: "POST", headers: { "content-type": "application/json", "x-mlflow-experiment-id": id }, body: JSON.stringify(otlp) });
    assert.equal(sent.status, 200);
    const found = await api(b.url, "POST", "/api/3.0/mlflow/traces/search", { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: id } }] });
    assert.deepEqual(found.json.traces.map((t: any) => t.trace_id), [`tr-${traceHex}`]);
    // a rename through B is what A serves
    await api(b.url, "POST", "/api/2.0/mlflow/experiments/update", { experiment_id: id, new_name: `${name}-renamed` });
    const again = await api(a.url, "GET", `/api/2.0/mlflow/experiments/get?experiment_id=${id}`);
    assert.equal(again.json.experiment.name, `${name}-renamed`);
  } finally {
    await a.stop();
    await b.stop();
  }
});
