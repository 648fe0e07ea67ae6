// Property-based HTTP fuzz against the running test server (issue #14): generated junk at every route of the
// MLflow router (enumerated from the router itself, so a new route is fuzzed without touching this file), at
// /v1/traces (protobuf and JSON, valid, truncated and garbled), and at every UI API route (enumerated from
// app/api/ui). The properties: no answer is a 5xx, every 4xx of the MLflow and UI routes is the
// {"error_code", "message"} envelope, and a control trace created before the fuzzing reads back unchanged
// after it. The junk never names the control trace or its experiment (writes to those would change it
// legitimately); it works on a sandbox experiment and trace instead.
// Run counts are bounded (FLOWTRACE_FUZZ_RUNS); FLOWTRACE_FUZZ_SEED replays a run (lib/testing/fuzz.ts).
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { mlflowRouter } from "./mlflow/api";
import { baseUrl } from "./testing/http";
import { fuzzParams, NASTY_STRINGS } from "./testing/fuzz";
import { encodeExportRequest } from "./tracing/otlp";
import { raw } from "./testing/raw-http";
import { closeTestDb, httpLossless, newExperiment, randomHex, randomTraceId, startTraceBody, testDb } from "./testing/mlflow";

let controlExp: string;
let controlTrace: string;
let controlBefore: unknown;
let sandboxExp: string;
let sandboxTrace: string;
let requests = 0;
let artifactsBefore: Set<string>;

async function readControl() {
  const [info, full] = await Promise.all([
    httpLossless("GET", `/api/3.0/mlflow/traces/${controlTrace}`),
    httpLossless("GET", `/api/3.0/mlflow/traces/get?trace_id=${controlTrace}&allow_partial=true`),
  ]);
  return { info: info.json, full: full.json };
}

before(async () => {
  controlExp = await newExperiment("fuzz-control");
  controlTrace = randomTraceId();
  const t = await httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(controlExp, controlTrace, { tags: { keep: "me" }, metadata: { "mlflow.trace.session": "s-1" } }));
  assert.equal(t.status, 200, t.text);
  // one span, so the read back covers span data too
  const hex = controlTrace.slice(3);
  const span = encodeExportRequest({
    resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [{ traceId: Buffer.from(hex, "hex"), spanId: Buffer.from(randomHex(8), "hex"), name: "root", startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000001000000000", attributes: [{ key: "mlflow.traceRequestId", value: { stringValue: controlTrace } }], status: { code: 1 } }] }] }],
  });
  const o = await fetch(baseUrl() + "/v1/traces", { method: "POST", headers: { "content-type": "application/x-protobuf", "x-mlflow-experiment-id": controlExp }, body: span as BodyInit });
  assert.equal(o.status, 200);
  controlBefore = await readControl();
  artifactsBefore = new Set((await testDb().query<{ path: string }>("SELECT path FROM artifacts")).rows.map((r) => r.path));
  sandboxExp = await newExperiment("fuzz-sandbox");
  sandboxTrace = randomTraceId();
  assert.equal((await httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(sandboxExp, sandboxTrace))).status, 200);
});

after(async () => {
  assert.deepEqual(await readControl(), controlBefore, "the control trace changed during the fuzzing");
  const dflt = await httpLossless("GET", "/api/2.0/mlflow/experiments/get?experiment_id=0");
  assert.equal(dflt.json?.experiment?.lifecycle_stage, "active", "the Default experiment survives the fuzzing");
  console.log(`fuzz: ${requests} HTTP requests, control trace unchanged`);
  // the junk files the artifact routes stored are legitimate uploads, but other suites check the whole table
  const now = (await testDb().query<{ path: string }>("SELECT path FROM artifacts")).rows.map((r) => r.path);
  const added = now.filter((p) => !artifactsBefore.has(p));
  if (added.length) await testDb().query("DELETE FROM artifacts WHERE path = ANY($1)", [added]);
  await closeTestDb();
});

/**
 * Text that never names the control trace or experiment (as a whole or as a path/number), nor the Default
 * experiment "0": later suites and the browser tests share this server and database, and rely on it.
 */
const PROTECTED = () => [controlExp, "0"];
/** "007", " +0", "5" when the control experiment is 5: any spelling of a protected id */
const namesProtected = (s: string) => /^\s*[+-]?\d+\s*$/.test(s) && PROTECTED().some((p) => BigInt(s.trim().replace(/^\+/, "")) === BigInt(p));
const safe = (s: string) => !s.includes(controlTrace) && !s.includes(controlTrace.slice(3)) && !s.split(/[/\\]/).some(namesProtected);
const junkText = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(sandboxExp, sandboxTrace, "tr-" + "0".repeat(32)) },
  ).filter(safe);
/** A JSON-able value; numbers include the int64 edges and beyond (sent as bare integers). */
const junkValue = (): fc.Arbitrary<unknown> =>
  fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      junkText(),
      fc.integer().filter((n) => !PROTECTED().includes(String(n))),
      fc.constantFrom(2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n, 10n ** 30n, 1e308, 0.5),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(fc.oneof(junkText(), fc.constantFrom(...FIELD_NAMES)), tie("value"), { maxKeys: 4 }),
    ),
  })).value;

// field names MLflow messages use, so the junk gets past "missing parameter" into each route's deeper checks
const FIELD_NAMES = [
  "experiment_id", "experiment_ids", "experiment_name", "name", "new_name", "artifact_location", "tags", "key", "value",
  "trace", "trace_info", "trace_id", "trace_ids", "request_ids", "request_id", "locations", "filter", "order_by", "max_results",
  "page_token", "view_type", "timestamp_ms", "status", "request_metadata", "max_timestamp_millis", "max_traces", "run_id",
  "prompt_versions", "assessment", "update_mask", "allow_partial", "path", "username", "password", "permission",
];
const junkBody = () =>
  fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), junkValue(), { maxKeys: 6 }).map((o) => stringifyLossless(o)) },
    { weight: 1, arbitrary: junkValue().map((v) => stringifyLossless(v)) },
    { weight: 1, arbitrary: junkText() },
    {
      weight: 2,
      arbitrary: fc
        .record({ trace_info: fc.dictionary(fc.constantFrom("trace_id", "trace_location", "request_time", "execution_duration", "state", "trace_metadata", "tags", "assessments", "request_preview", "client_request_id"), junkValue(), { maxKeys: 6 }) })
        .map((trace) => stringifyLossless({ trace: { ...trace, trace_info: { trace_location: { mlflow_experiment: { experiment_id: sandboxExp } }, ...trace.trace_info } } })),
    },
  );

function stringifyLossless(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `@@${x}@@` : x)).replace(/"@@(-?\d+)@@"/g, "$1");
}

/** A path segment: usually encoded junk, sometimes raw percent junk (node:http refuses other raw bytes). */
const segment = () =>
  fc.oneof(
    { weight: 5, arbitrary: junkText().map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "x")) || "x") },
    { weight: 1, arbitrary: fc.constantFrom("%FF%FE", "%", "%E", "%00", "%2e%2e", "..", "%C0%AF") },
  );

function fillPath(template: string, values: string[]): string {
  let i = 0;
  // a rest parameter ({path+}: artifact paths) mostly under the sandbox experiment's folder
  return template.replace(/\{[^}]+\}/g, (m) => {
    const v = values[i++ % Math.max(values.length, 1)] ?? "x";
    return m.endsWith("+}") && i % 4 !== 0 ? `${sandboxExp}/${v}` : v;
  });
}

function checkAnswer(r: { status: number; json: any; text: string }, what: string, envelope: boolean) {
  requests++;
  assert.ok(r.status > 0 && r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  // 431: node:http refuses a request line + headers over its 16 KiB limit before any route runs (no body)
  if (envelope && r.status >= 400 && r.status !== 431) {
    assert.equal(typeof r.json?.error_code, "string", `${what}: no envelope: ${r.text.slice(0, 300)}`);
    assert.equal(typeof r.json?.message, "string", `${what}: no envelope: ${r.text.slice(0, 300)}`);
  }
}

test("fuzz: every route of the MLflow router answers junk with < 500 and MLflow's envelope", async () => {
  const routes = mlflowRouter().entries();
  assert.ok(routes.length > 30, "the router's table is enumerated");
  const query = fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), junkText()), { maxLength: 4 }).map((kv) => (kv.length ? "?" + kv.map(([k, v]) => `${k}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, "x"))}`).join("&") : ""));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...routes), fc.array(segment(), { minLength: 1, maxLength: 3 }), query, junkBody(), async (route, segs, q, body) => {
      const p = "/api" + fillPath(route.path, segs) + q;
      const hasBody = route.method !== "GET" && route.method !== "HEAD";
      const r = await raw(baseUrl(), route.method, p, hasBody ? body : undefined);
      checkAnswer(r, `${route.method} ${p.slice(0, 200)} ${hasBody ? body.slice(0, 200) : ""}`, route.method !== "HEAD");
    }),
    fuzzParams(600),
  );
  // every route once with an unknown method and once with a garbled escape in its path
  for (const route of routes) {
    checkAnswer(await raw(baseUrl(), "TRACE", "/api" + fillPath(route.path, ["x"])), `TRACE ${route.path}`, true);
    checkAnswer(await raw(baseUrl(), route.method, "/api" + fillPath(route.path, ["%FF%FE"]), route.method === "GET" ? undefined : "{}"), `${route.method} ${route.path} with %FF%FE`, true);
  }
});

test("fuzz: /v1/traces answers junk (protobuf and JSON, truncated and garbled) with < 500", async () => {
  const any = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String), fc.constant(null), fc.constantFrom(...NASTY_STRINGS.slice(0, 22)));
  const span = fc.record(
    {
      traceId: fc.oneof(fc.constant(randomHex(16)), any),
      spanId: fc.oneof(fc.constant(randomHex(8)), any),
      parentSpanId: any,
      name: any,
      startTimeUnixNano: any,
      endTimeUnixNano: any,
      attributes: fc.oneof(fc.array(fc.record({ key: any, value: fc.oneof(fc.record({ stringValue: any }), fc.record({ intValue: any }), any) }), { maxLength: 3 }), any),
      status: fc.oneof(fc.record({ code: any }), any),
    },
    { requiredKeys: [] },
  );
  const jsonBody = fc.oneof(
    fc.array(span, { maxLength: 3 }).map((spans) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] })),
    fc.json(),
    fc.string(),
  );
  const pbBody = fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.nat({ max: 30 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
    .map(([n, cut, flips]) => {
      const spans = Array.from({ length: n }, () => ({ traceId: Buffer.from(randomHex(16), "hex"), spanId: Buffer.from(randomHex(8), "hex"), name: "s", startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000000100000000", attributes: [{ key: "a", value: { stringValue: "x" } }] }));
      const b = Uint8Array.from(encodeExportRequest({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
      const out = b.subarray(0, Math.max(0, b.length - cut));
      for (const [at, v] of flips) if (out.length) out[at % out.length] = v;
      return Buffer.from(out);
    });
  await fc.assert(
    fc.asyncProperty(fc.oneof(jsonBody.map((b) => ["application/json", Buffer.from(b)] as const), pbBody.map((b) => ["application/x-protobuf", b] as const), fc.uint8Array({ maxLength: 64 }).map((b) => ["application/x-protobuf", Buffer.from(b)] as const)), async ([ct, body]) => {
      const res = await fetch(baseUrl() + "/v1/traces", { method: "POST", headers: { "content-type": ct, "x-mlflow-experiment-id": sandboxExp }, body: body as BodyInit });
      const text = await res.text();
      requests++;
      assert.ok(res.status < 500, `/v1/traces ${ct} ${body.subarray(0, 100).toString("hex")}: ${res.status} ${text.slice(0, 300)}`);
    }),
    fuzzParams(300),
  );
});

/** The UI API's route templates, from the app directory (a new route there is fuzzed without changes here). */
function uiRoutes(): string[] {
  const root = path.join(process.env.FLOWTRACE_ROOT ?? process.cwd(), "app", "api", "ui");
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${rel}/${name.replace(/^\[(.+)\]$/, "{$1}")}`);
      else if (name === "route.ts") out.push(`/api/ui${rel}`);
    }
  };
  walk(root, "");
  return out;
}

test("fuzz: every UI API route answers junk paths and queries with < 500 and a JSON error", async () => {
  const routes = uiRoutes();
  assert.ok(routes.length >= 10, `UI routes found: ${routes.join(", ")}`);
  const keys = ["filter", "order", "range", "page_token", "size", "now", "since", "q", "limit", "sort", "cursor"];
  const query = fc.array(fc.tuple(fc.constantFrom(...keys), junkText()), { maxLength: 4 }).map((kv) => (kv.length ? "?" + kv.map(([k, v]) => `${k}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, "x"))}`).join("&") : ""));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...routes), fc.array(segment(), { minLength: 1, maxLength: 3 }), query, async (route, segs, q) => {
      const p = fillPath(route, segs) + q;
      const r = await raw(baseUrl(), "GET", p);
      checkAnswer(r, `GET ${p.slice(0, 300)}`, r.status !== 404 && r.status !== 308);
    }),
    fuzzParams(300),
  );
});
