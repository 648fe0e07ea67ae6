// MLflow-style clients against a server with --auth: an OTLP exporter (protobuf, credentials in headers
// as OTEL_EXPORTER_OTLP_HEADERS would put them), REST calls with Basic and Bearer, wrong credentials,
// revoked tokens, users without permission, and the TypeScript SDK's unauthenticated traces.json upload.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import pg from "pg";
import { uniqueName } from "../testing/http";
import { basic, bearer, call, openAuthTestbed, type AuthServer, type AuthTestbed } from "../testing/auth";

let srv: AuthServer;
let db: pg.Client;
let admin: Record<string, string>;
let experimentId: string;
const users: Record<"editor" | "reader", { username: string; h: Record<string, string>; token: string }> = {} as never;

function makeSpans(): { spans: ReadableSpan[]; traceId: string } {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer("auth-test");
  const root = tracer.startSpan("agent");
  root.setAttribute("mlflow.spanInputs", JSON.stringify({ q: "hi" }));
  root.end();
  const spans = memory.getFinishedSpans();
  // MLflow's id for an OTel trace is "tr-" + the hex trace id
  return { spans: [...spans], traceId: `tr-${spans[0].spanContext().traceId}` };
}

function exportOtlp(headers: Record<string, string>): Promise<{ ok: boolean; status?: number; traceId: string }> {
  const { spans, traceId } = makeSpans();
  const exporter = new OTLPTraceExporter({ url: `${srv.url}/v1/traces`, headers: { "x-mlflow-experiment-id": experimentId, ...headers } });
  return new Promise((resolve) =>
    exporter.export(spans, (r) => {
      void exporter.shutdown();
      resolve({ ok: r.code === 0, status: (r.error as { code?: number } | undefined)?.code, traceId });
    }),
  );
}

async function spanCount(traceId: string): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM spans WHERE trace_id = $1`, [traceId]);
  return rows[0].n;
}

let testbed: AuthTestbed | undefined;
before(async () => {
  ({ srv, db, admin } = testbed = await openAuthTestbed());
  const e = await call(srv.url, "POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName("clients") }, admin);
  assert.equal(e.status, 200, e.text);
  experimentId = e.json.experiment_id;
  for (const role of ["editor", "reader"] as const) {
    const username = uniqueName(role);
    const password = `pw-${username}`;
    assert.equal((await call(srv.url, "POST", "/api/auth/users", { username, password }, admin)).status, 201);
    const h = basic(username, password);
    const t = await call(srv.url, "POST", "/api/auth/tokens", { name: "sdk" }, h);
    users[role] = { username, h, token: t.json.token };
  }
  const grant = await call(srv.url, "POST", "/api/2.0/mlflow/experiments/permissions/create", { experiment_id: experimentId, username: users.editor.username, permission: "EDIT" }, admin);
  assert.equal(grant.status, 200, grant.text);
});

after(() => testbed?.close());

describe("OTLP exporter (protobuf) on /v1/traces", () => {
  test("Bearer token of an EDIT user: spans stored", async () => {
    const r = await exportOtlp({ Authorization: `Bearer ${users.editor.token}` });
    assert.equal(r.ok, true, `export failed with ${r.status}`);
    assert.equal(await spanCount(r.traceId), 1);
  });

  test("Basic credentials in the headers work the same", async () => {
    const r = await exportOtlp(users.editor.h);
    assert.equal(r.ok, true, `export failed with ${r.status}`);
    assert.equal(await spanCount(r.traceId), 1);
  });

  test("no credentials: 401; wrong password: 401; READ-only user: 403; nothing stored", async () => {
    const none = await exportOtlp({});
    assert.deepEqual([none.ok, none.status], [false, 401]);
    const wrong = await exportOtlp(basic(users.editor.username, "not-the-password"));
    assert.deepEqual([wrong.ok, wrong.status], [false, 401]);
    const reader = await exportOtlp({ Authorization: `Bearer ${users.reader.token}` });
    assert.deepEqual([reader.ok, reader.status], [false, 403]);
    for (const r of [none, wrong, reader]) assert.equal(await spanCount(r.traceId), 0);
  });

  test("a revoked token stops working", async () => {
    const t = await call(srv.url, "POST", "/api/auth/tokens", { name: "short-lived" }, users.editor.h);
    assert.equal((await exportOtlp({ Authorization: `Bearer ${t.json.token}` })).ok, true);
    assert.equal((await call(srv.url, "DELETE", `/api/auth/tokens/${t.json.id}`, undefined, users.editor.h)).status, 200);
    const r = await exportOtlp({ Authorization: `Bearer ${t.json.token}` });
    assert.deepEqual([r.ok, r.status], [false, 401]);
  });
});

describe("MLflow REST with Basic and Bearer", () => {
  const startTrace = (h: Record<string, string>, traceId = `tr-${randomBytes(16).toString("hex")}`) =>
    call(srv.url, "POST", "/api/3.0/mlflow/traces", {
      trace: { trace_info: { trace_id: traceId, trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } }, request_time: new Date().toISOString(), state: "OK", trace_metadata: { "mlflow.trace_schema.version": "3" } } },
    }, h);

  test("EDIT user logs a trace with Basic and with Bearer; READ user reads it but cannot write (403)", async () => {
    const a = await startTrace(users.editor.h);
    assert.equal(a.status, 200, a.text);
    const b = await startTrace(bearer(users.editor.token));
    assert.equal(b.status, 200, b.text);
    const traceId = b.json.trace.trace_info.trace_id;
    const read = await call(srv.url, "GET", `/api/3.0/mlflow/traces/${traceId}`, undefined, bearer(users.reader.token));
    assert.equal(read.status, 200, read.text);
    const denied = await startTrace(users.reader.h);
    assert.equal(denied.status, 403);
    assert.equal(denied.json.error_code, "PERMISSION_DENIED");
    const tag = await call(srv.url, "PATCH", `/api/3.0/mlflow/traces/${traceId}/tags`, { key: "k", value: "v" }, users.reader.h);
    assert.equal(tag.status, 403);
  });

  test("no or wrong credentials: 401 with the Basic challenge MLflow clients expect", async () => {
    for (const h of [{}, basic(users.editor.username, "wrong-password"), bearer("ft_revoked-or-made-up")]) {
      const r = await call(srv.url, "GET", `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, undefined, h);
      assert.equal(r.status, 401);
      assert.equal(r.headers.get("www-authenticate"), 'Basic realm="mlflow"');
    }
  });

  test("NO_PERMISSIONS shuts a user out of one experiment", async () => {
    await call(srv.url, "POST", "/api/2.0/mlflow/experiments/permissions/create", { experiment_id: experimentId, username: users.reader.username, permission: "NO_PERMISSIONS" }, admin);
    try {
      const r = await call(srv.url, "GET", `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, undefined, users.reader.h);
      assert.equal(r.status, 403);
    } finally {
      await call(srv.url, "DELETE", "/api/2.0/mlflow/experiments/permissions/delete", { experiment_id: experimentId, username: users.reader.username }, admin);
    }
    assert.equal((await call(srv.url, "GET", `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, undefined, users.reader.h)).status, 200);
  });

  test("TypeScript SDK: traces.json PUT without Authorization right after an authorized StartTraceV3 is accepted once", async () => {
    const hex = randomBytes(16).toString("hex");
    const traceId = `tr-${hex}`;
    const started = await startTrace(bearer(users.editor.token), traceId);
    assert.equal(started.status, 200, started.text);
    const location: string = started.json.trace.trace_info.tags["mlflow.artifactLocation"];
    assert.match(location, /^mlflow-artifacts:/);
    const path = `/api/2.0/mlflow-artifacts/artifacts/${location.replace(/^mlflow-artifacts:\/*/, "")}/traces.json`;
    const doc = (spanId: Buffer) =>
      JSON.stringify({
        spans: [{
          trace_id: Buffer.from(hex, "hex").toString("base64"), span_id: spanId.toString("base64"), parent_span_id: "", name: "root",
          start_time_unix_nano: Date.now() * 1e6, end_time_unix_nano: Date.now() * 1e6 + 1000, status: { code: "STATUS_CODE_OK", message: "" },
          attributes: { "mlflow.traceRequestId": traceId, "mlflow.spanType": "CHAIN" }, events: [],
        }],
      });
    // as the SDK sends it: JSON, no Authorization
    const put = await call(srv.url, "PUT", path, doc(randomBytes(8)), { "content-type": "application/json" });
    assert.equal(put.status, 200, put.text);
    assert.equal(await spanCount(traceId), 1);
    const again = await call(srv.url, "PUT", path, doc(randomBytes(8)), { "content-type": "application/json" });
    assert.equal(again.status, 401, "once spans are stored, an anonymous upload is refused");
    assert.equal(await spanCount(traceId), 1);
    const unknown = `tr-${randomBytes(16).toString("hex")}`;
    const stranger = await call(srv.url, "PUT", path.replace(traceId, unknown), doc(randomBytes(8)), { "content-type": "application/json" });
    assert.equal(stranger.status, 401, "no anonymous upload for a trace nobody started");
  });
});

describe("experiments through the REST API with --auth", () => {
  test("the creator of an experiment may manage it; other users' hidden experiments are left out of search", async () => {
    const name = uniqueName("mine");
    const created = await call(srv.url, "POST", "/api/2.0/mlflow/experiments/create", { name }, users.reader.h);
    assert.equal(created.status, 200, created.text);
    const id = created.json.experiment_id;
    const renamed = await call(srv.url, "POST", "/api/2.0/mlflow/experiments/update", { experiment_id: id, new_name: `${name}-2` }, users.reader.h);
    assert.equal(renamed.status, 200, `creator gets MANAGE: ${renamed.text}`);
    // the editor is shut out of it: search must not reveal its name
    const deny = await call(srv.url, "POST", "/api/2.0/mlflow/experiments/permissions/create", { experiment_id: id, username: users.editor.username, permission: "NO_PERMISSIONS" }, users.reader.h);
    assert.equal(deny.status, 200, deny.text);
    const names = async (h: Record<string, string>) =>
      ((await call(srv.url, "POST", "/api/2.0/mlflow/experiments/search", { max_results: 50000 }, h)).json.experiments as { name: string }[]).map((e) => e.name);
    assert.ok(!(await names(users.editor.h)).includes(`${name}-2`));
    assert.ok((await names(users.reader.h)).includes(`${name}-2`));
    assert.ok((await names(admin)).includes(`${name}-2`));
  });
});
