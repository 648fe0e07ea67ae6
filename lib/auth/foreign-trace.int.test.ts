// Issue #14, defects 1 and 2 on the MLflow REST API: writes that name a trace are authorized against the
// experiment that OWNS the trace (not the one the request names), a StartTraceV3 can never move or rewrite a
// trace of another experiment (with or without --auth), and artifacts outside an experiment's folder are not
// writable by any signed-in user. The route × role matrix (access-matrix.int.test.ts) has one foreign-trace
// case per write route; this file replays the reproductions and the legitimate client flows.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { http, uniqueName } from "../testing/http";
import { basic, call, openAuthTestbed, type AuthServer, type AuthTestbed } from "../testing/auth";

let srv: AuthServer;
let db: pg.Client;
let admin: Record<string, string>;

const newTraceId = () => `tr-${randomBytes(16).toString("hex")}`;
const hex = (n: number) => randomBytes(n).toString("hex");
const loc = (experimentId: string) => ({ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } });

async function newUser(prefix: string): Promise<Record<string, string>> {
  const username = uniqueName(prefix);
  const password = `pw-${username}`;
  const r = await call(srv.url, "POST", "/api/auth/users", { username, password }, admin);
  assert.equal(r.status, 201, r.text);
  return basic(username, password);
}

async function createExperiment(base: string, who: Record<string, string>, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call(base, "POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName("foreign"), ...extra }, who);
  assert.equal(r.status, 200, r.text);
  return r.json.experiment_id;
}

/** Everything a write could change about a trace, as one comparable value. */
async function snapshot(traceId: string): Promise<unknown> {
  const t = await db.query(`SELECT row_to_json(t) AS r FROM traces t WHERE trace_id = $1`, [traceId]);
  const s = await db.query(`SELECT span_id, experiment_id, name, attributes FROM spans WHERE trace_id = $1 ORDER BY span_id`, [traceId]);
  const a = await db.query(`SELECT row_to_json(a) AS r FROM assessments a WHERE trace_id = $1 ORDER BY assessment_id`, [traceId]);
  const l = await db.query(`SELECT run_id FROM trace_run_links WHERE trace_id = $1 ORDER BY run_id`, [traceId]);
  return { trace: t.rows[0]?.r ?? null, spans: s.rows, assessments: a.rows.map((x) => x.r), links: l.rows };
}

function spanDoc(traceId: string, name: string) {
  const now = Date.now() * 1e6;
  return {
    spans: [
      {
        trace_id: Buffer.from(traceId.slice(3), "hex").toString("base64"),
        span_id: Buffer.from(hex(8), "hex").toString("base64"),
        parent_span_id: "",
        name,
        start_time_unix_nano: String(now),
        end_time_unix_nano: String(now + 1_000_000),
        status: { code: "STATUS_CODE_OK" },
        attributes: { "mlflow.traceRequestId": JSON.stringify(traceId), "mlflow.spanType": JSON.stringify("CHAIN") },
      },
    ],
  };
}

let testbed: AuthTestbed | undefined;
before(async () => {
  ({ srv, db, admin } = testbed = await openAuthTestbed());
});

after(() => testbed?.close());

describe("defect 1: a write naming a trace of another experiment", () => {
  let attacker: Record<string, string>;
  let R: string; // the attacker's own experiment (MANAGE, as its creator)
  let V: string; // the victim's experiment: the attacker has only the default READ
  let victimTrace: string;

  before(async () => {
    attacker = await newUser("attacker");
    R = await createExperiment(srv.url, attacker);
    V = await createExperiment(srv.url, admin);
    victimTrace = newTraceId();
    const start = await call(srv.url, "POST", "/api/3.0/mlflow/traces", {
      trace: { trace_info: { trace_id: victimTrace, trace_location: loc(V), request_time: new Date().toISOString(), state: "OK", tags: { owner: "victim" }, trace_metadata: { m: "1" } } },
    }, admin);
    assert.equal(start.status, 200, start.text);
    const put = await call(srv.url, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${V}/traces/${victimTrace}/artifacts/traces.json`, JSON.stringify(spanDoc(victimTrace, "victim-root")), { ...admin, "content-type": "application/json" });
    assert.equal(put.status, 200, put.text);
    // the attacker can read V (the default permission) but not edit it
    assert.equal((await call(srv.url, "GET", `/api/3.0/mlflow/traces/${victimTrace}`, undefined, attacker)).status, 200);
  });

  test("StartTraceV3 with trace_location = the caller's own experiment: 403 PERMISSION_DENIED, the trace unchanged", async () => {
    const before = await snapshot(victimTrace);
    const r = await call(srv.url, "POST", "/api/3.0/mlflow/traces", {
      trace: {
        trace_info: {
          trace_id: victimTrace,
          trace_location: loc(R),
          request_time: "2001-01-01T00:00:00Z",
          state: "ERROR",
          request_preview: "forged",
          tags: { owner: "attacker" },
          trace_metadata: { m: "forged" },
        },
      },
    }, attacker);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json?.error_code, "PERMISSION_DENIED");
    assert.deepEqual(await snapshot(victimTrace), before);
  });

  test("delete-traces naming the caller's experiment and the foreign trace id: 403, the trace is still there", async () => {
    const before = await snapshot(victimTrace);
    for (const v of ["2.0", "3.0"]) {
      const r = await call(srv.url, "POST", `/api/${v}/mlflow/traces/delete-traces`, { experiment_id: R, request_ids: [victimTrace] }, attacker);
      assert.equal(r.status, 403, r.text);
      assert.equal(r.json?.error_code, "PERMISSION_DENIED");
    }
    assert.deepEqual(await snapshot(victimTrace), before);
  });

  test("an admin (who passes every check) still cannot move the trace into another experiment or rewrite it from there", async () => {
    const before = await snapshot(victimTrace);
    const r = await call(srv.url, "POST", "/api/3.0/mlflow/traces", {
      trace: { trace_info: { trace_id: victimTrace, trace_location: loc(R), request_time: new Date().toISOString(), state: "ERROR", tags: { owner: "moved" } } },
    }, admin);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json?.error_code, "INVALID_PARAMETER_VALUE");
    assert.deepEqual(await snapshot(victimTrace), before);
  });

  test("the caller's own traces keep working: TS SDK (StartTraceV3, anonymous traces.json), Python (OTLP, then StartTraceV3), retries", async () => {
    // TypeScript SDK
    const ts = newTraceId();
    const info = { trace: { trace_info: { trace_id: ts, trace_location: loc(R), request_time: new Date().toISOString(), state: "OK", tags: { k: "v" } } } };
    assert.equal((await call(srv.url, "POST", "/api/3.0/mlflow/traces", info, attacker)).status, 200);
    assert.equal((await call(srv.url, "POST", "/api/3.0/mlflow/traces", info, attacker)).status, 200, "a retried StartTraceV3");
    const put = await call(srv.url, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${R}/traces/${ts}/artifacts/traces.json`, JSON.stringify(spanDoc(ts, "ts-root")), { "content-type": "application/json" });
    assert.equal(put.status, 200, put.text);
    const got = await call(srv.url, "GET", `/api/3.0/mlflow/traces/get?trace_id=${ts}`, undefined, attacker);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.trace.spans.length, 1);

    // Python: spans by OTLP first (under x-mlflow-experiment-id: R), then the trace info
    const py = newTraceId();
    const now = Date.now() * 1e6;
    const otlp = {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: py.slice(3), spanId: hex(8), name: "py-root", kind: 1, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1e6), status: { code: 1 } }] }] }],
    };
    const o = await call(srv.url, "POST", "/v1/traces", JSON.stringify(otlp), { ...attacker, "content-type": "application/json", "x-mlflow-experiment-id": R });
    assert.equal(o.status, 200, o.text);
    const s = await call(srv.url, "POST", "/api/3.0/mlflow/traces", { trace: { trace_info: { trace_id: py, trace_location: loc(R), request_time: new Date().toISOString(), state: "OK", tags: { py: "1" } } } }, attacker);
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.trace.trace_info.tags.py, "1");
    assert.equal(s.json.trace.trace_info.trace_location.mlflow_experiment.experiment_id, R);
  });
});

describe("defect 1 without --auth: StartTraceV3 cannot move or rewrite a trace of another experiment", () => {
  test("400 INVALID_PARAMETER_VALUE; the trace keeps its experiment, tags, state and artifact location; the same experiment still merges", async () => {
    const A = await createExperiment(process.env.FLOWTRACE_URL!, {});
    const B = await createExperiment(process.env.FLOWTRACE_URL!, {});
    const id = newTraceId();
    const start = (experimentId: string, tags: Record<string, string>, state: string) =>
      http("POST", "/api/3.0/mlflow/traces", { trace: { trace_info: { trace_id: id, trace_location: loc(experimentId), request_time: new Date().toISOString(), state, tags } } });
    assert.equal((await start(A, { owner: "a" }, "OK")).status, 200);
    const before = await snapshot(id);
    const r = await start(B, { owner: "b" }, "ERROR");
    assert.equal(r.status, 400, r.text);
    assert.equal((r.json as { error_code?: string })?.error_code, "INVALID_PARAMETER_VALUE");
    assert.deepEqual(await snapshot(id), before);
    const again = await start(A, { more: "x" }, "OK");
    assert.equal(again.status, 200, again.text);
    const tags = (again.json as { trace: { trace_info: { tags: Record<string, string> } } }).trace.trace_info.tags;
    assert.equal(tags.owner, "a");
    assert.equal(tags.more, "x");
  });
});

describe("defect 2: artifacts outside an experiment's folder", () => {
  let reader: Record<string, string>;
  let shared: string;

  before(async () => {
    reader = await newUser("reader");
    shared = uniqueName("shared");
    const put = await call(srv.url, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${shared}/admin-file.txt`, "admin's", { ...admin, "content-type": "text/plain" });
    assert.equal(put.status, 200, put.text);
  });

  test("a READ-only user can neither delete nor write there (403); the admin's file stays; reading works as before", async () => {
    const del = await call(srv.url, "DELETE", `/api/2.0/mlflow-artifacts/artifacts/${shared}`, undefined, reader);
    assert.equal(del.status, 403, del.text);
    assert.equal(del.json?.error_code, "PERMISSION_DENIED");
    const delFile = await call(srv.url, "DELETE", `/api/2.0/mlflow-artifacts/artifacts/${shared}/admin-file.txt`, undefined, reader);
    assert.equal(delFile.status, 403, delFile.text);
    const put = await call(srv.url, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${shared}/admin-file.txt`, "overwritten", { ...reader, "content-type": "text/plain" });
    assert.equal(put.status, 403, put.text);
    const get = await call(srv.url, "GET", `/api/2.0/mlflow-artifacts/artifacts/${shared}/admin-file.txt`, undefined, reader);
    assert.equal(get.status, 200, get.text);
    assert.equal(get.text, "admin's");
    const list = await call(srv.url, "GET", `/api/2.0/mlflow-artifacts/artifacts?path=${shared}`, undefined, reader);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.files.length, 1);
  });

  test("an experiment whose artifact location is a named folder: its editors write there, its readers do not", async () => {
    const owner = await newUser("owner");
    const folder = uniqueName("team");
    const e = await createExperiment(srv.url, owner, { artifact_location: `mlflow-artifacts:/${folder}` });
    assert.ok(e);
    const put = await call(srv.url, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${folder}/model/notes.txt`, "notes", { ...owner, "content-type": "text/plain" });
    assert.equal(put.status, 200, put.text);
    const forged = await call(srv.url, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${folder}/model/notes.txt`, "forged", { ...reader, "content-type": "text/plain" });
    assert.equal(forged.status, 403, forged.text);
    assert.equal((await call(srv.url, "DELETE", `/api/2.0/mlflow-artifacts/artifacts/${folder}`, undefined, reader)).status, 403);
    const get = await call(srv.url, "GET", `/api/2.0/mlflow-artifacts/artifacts/${folder}/model/notes.txt`, undefined, reader);
    assert.equal(get.status, 200, get.text);
    assert.equal(get.text, "notes");
    assert.equal((await call(srv.url, "DELETE", `/api/2.0/mlflow-artifacts/artifacts/${folder}/model`, undefined, owner)).status, 200);
  });
});
