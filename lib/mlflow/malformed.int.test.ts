// Issue #14 defect 6: malformed inputs that answered 500. Each must get a 4xx in MLflow's
// {"error_code", "message"} envelope (405 for an unknown method), and leave a control trace as it was.
// Raw node:http, not fetch: fetch refuses the TRACE method and would re-encode some of these paths.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { baseUrl, uniqueName } from "../testing/http";
import { raw, type Raw } from "../testing/raw-http";
import { startAuthServer, basic, type AuthServer } from "../testing/auth";
import { httpLossless, newExperiment, randomTraceId, startTraceBody } from "../testing/mlflow";

function assertEnvelope(r: Raw, what: string, status?: number) {
  const shown = `${what}: ${r.status} ${r.text.slice(0, 300)}`;
  if (status !== undefined) assert.equal(r.status, status, shown);
  assert.ok(r.status >= 400 && r.status < 500, shown);
  assert.equal(typeof r.json?.error_code, "string", shown);
  assert.equal(typeof r.json?.message, "string", shown);
  assert.ok(r.json.message.length > 0, shown);
}

const nested = (depth: number, leaf = "1") => "[".repeat(depth) + leaf + "]".repeat(depth);
const parens = (depth: number) => "(".repeat(depth) + "trace.status = 'OK'" + ")".repeat(depth);

let exp: string;
let control: string;
let controlBefore: unknown;

before(async () => {
  exp = await newExperiment("malformed");
  control = randomTraceId();
  const r = await httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, control, { tags: { keep: "me" } }));
  assert.equal(r.status, 200, r.text);
  controlBefore = (await httpLossless("GET", `/api/3.0/mlflow/traces/${control}`)).json;
});

after(async () => {
  const now = (await httpLossless("GET", `/api/3.0/mlflow/traces/${control}`)).json;
  assert.deepEqual(now, controlBefore, "the control trace changed");
});

test("the malformed inputs of issue #14 item 6 answer 4xx in MLflow's envelope (MLflow and UI routes)", async () => {
  const base = baseUrl();
  const loc = { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } }] };
  // a StartTraceV3 body whose trace_info fields `ti` are raw JSON text (numbers past 2^63, deep nesting)
  const v3 = (ti: Record<string, string>) => {
    const body = startTraceBody(exp, randomTraceId(), {});
    const info = body.trace.trace_info as Record<string, unknown>;
    for (const k of Object.keys(ti)) info[k] = `@@${k}@@`;
    let text = JSON.stringify(body);
    for (const [k, v] of Object.entries(ti)) text = text.replace(`"@@${k}@@"`, v);
    return text;
  };
  const cases: [string, string, string, string?, number?][] = [
    // NUL characters
    ["experiment name", "POST", "/api/2.0/mlflow/experiments/create", JSON.stringify({ name: "a\u0000b" })],
    ["get-by-name", "GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=a%00b"],
    ["new_name", "POST", "/api/2.0/mlflow/experiments/update", JSON.stringify({ experiment_id: "EXP", new_name: "x\u0000y" })],
    ["experiment tag key", "POST", "/api/2.0/mlflow/experiments/set-experiment-tag", JSON.stringify({ experiment_id: "EXP", key: "k\u0000", value: "v" })],
    ["trace id (query)", "GET", "/api/3.0/mlflow/traces/get?trace_id=tr-%00"],
    ["trace id (path)", "GET", "/api/3.0/mlflow/traces/tr-%00"],
    ["trace id (path, v2 info)", "GET", "/api/2.0/mlflow/traces/tr-%00/info"],
    ["trace id (path, tags)", "PATCH", "/api/2.0/mlflow/traces/tr-%00/tags", JSON.stringify({ key: "k", value: "v" })],
    ["trace tag value", "PATCH", "/api/2.0/mlflow/traces/CONTROL/tags", JSON.stringify({ key: "k", value: "v\u0000" })],
    ["trace id in StartTraceV3", "POST", "/api/3.0/mlflow/traces", JSON.stringify(startTraceBody("EXP", "tr-\u0000x"))],
    ["batchGet ids", "GET", "/api/3.0/mlflow/traces/batchGet?trace_ids=tr-%00"],
    ["search filter", "POST", "/api/3.0/mlflow/traces/search", JSON.stringify({ ...loc, filter: "tag.a = 'x\u0000'" })],
    ["search filter (v2 query)", "GET", `/api/2.0/mlflow/traces?experiment_ids=EXP&filter=${encodeURIComponent("tag.a = 'x\u0000'")}`],
    ["experiment search filter", "POST", "/api/2.0/mlflow/experiments/search", JSON.stringify({ filter: "name = 'x\u0000'" })],
    ["assessment name", "POST", "/api/3.0/mlflow/traces/CONTROL/assessments", JSON.stringify({ assessment: { assessment_name: "a\u0000", source: { source_type: "HUMAN", source_id: "u" }, feedback: { value: 1 } } })],
    ["assessment id (path)", "GET", "/api/3.0/mlflow/traces/CONTROL/assessments/a-%00"],
    // invalid percent-encoding
    ["invalid escape in a v2 trace path", "GET", "/api/2.0/mlflow/traces/tr-%FF%FE"],
    ["invalid escape in a v3 trace path", "GET", "/api/3.0/mlflow/traces/tr-%FF%FE"],
    ["invalid escape in a tags path", "PATCH", "/api/2.0/mlflow/traces/tr-%FF%FE/tags", JSON.stringify({ key: "k", value: "v" })],
    ["truncated escape", "GET", "/api/3.0/mlflow/traces/tr-%E"],
    ["invalid escape in a query", "GET", "/api/3.0/mlflow/traces/get?trace_id=tr-%FF%FE"],
    // integers past 2^63
    ["v2 timestamp_ms past 2^63", "POST", "/api/2.0/mlflow/traces", `{"experiment_id":"EXP","timestamp_ms":99999999999999999999}`],
    ["v2 end timestamp_ms past 2^63", "PATCH", "/api/2.0/mlflow/traces/CONTROL", `{"timestamp_ms":99999999999999999999,"status":"OK"}`],
    ["execution_duration past 2^63", "POST", "/api/3.0/mlflow/traces", v3({ execution_duration: '"99999999999999999999s"' })],
    ["request_time past 2^63", "POST", "/api/3.0/mlflow/traces", v3({ request_time: "99999999999999999999" })],
    ["request_time as a year-9999 string of ms", "POST", "/api/3.0/mlflow/traces", v3({ request_time: '"9999999999999999"' })],
    ["max_timestamp_millis past 2^63", "POST", "/api/2.0/mlflow/traces/delete-traces", `{"experiment_id":"EXP","max_timestamp_millis":-99999999999999999999}`],
    ["max_results past 2^31", "GET", "/api/2.0/mlflow/experiments/search?max_results=99999999999999999999"],
    ["experiment id past 2^63", "GET", "/api/2.0/mlflow/experiments/get?experiment_id=99999999999999999999"],
    // stack depth
    ["6,000 nested parentheses in a filter", "POST", "/api/3.0/mlflow/traces/search", JSON.stringify({ ...loc, filter: parens(6000) })],
    ["100k-deep JSON body", "POST", "/api/3.0/mlflow/traces", nested(100_000)],
    ["100k-deep JSON in trace metadata", "POST", "/api/3.0/mlflow/traces", v3({ trace_metadata: `{"a":${nested(100_000)}}` })],
    ["100k-deep JSON in an assessment value", "POST", "/api/3.0/mlflow/traces/CONTROL/assessments", `{"assessment":{"assessment_name":"deep","source":{"source_type":"HUMAN","source_id":"u"},"feedback":{"value":${nested(100_000)}}}}`],
    ["100k-deep JSON as a filter", "POST", "/api/2.0/mlflow/experiments/search", `{"filter":${nested(100_000, '"x"')}}`],
    // UI API: paths and queries
    ["UI trace path NUL", "GET", "/api/ui/traces/tr-%00"],
    ["UI trace spans path NUL", "GET", "/api/ui/traces/tr-%00/spans"],
    ["UI span path NUL", "GET", "/api/ui/traces/CONTROL/spans/%00"],
    ["UI experiment path NUL", "GET", "/api/ui/experiments/%00/traces"],
    ["UI session path NUL", "GET", "/api/ui/experiments/EXP/sessions/s%00"],
    ["UI user path NUL", "GET", "/api/ui/experiments/EXP/users/u%00"],
    ["UI trace path invalid escape", "GET", "/api/ui/traces/tr-%FF%FE"],
    ["UI filter NUL", "GET", `/api/ui/experiments/EXP/traces?filter=${encodeURIComponent("tag.a = 'x\u0000'")}`],
    ["UI filter 6,000 parentheses", "GET", `/api/ui/experiments/EXP/traces?filter=${encodeURIComponent(parens(6000))}`],
    ["UI count filter NUL", "GET", `/api/ui/experiments/EXP/traces/count?filter=${encodeURIComponent("tag.a = 'x\u0000'")}`],
    ["UI span search NUL", "GET", "/api/ui/traces/CONTROL/search?q=%00"],
    ["UI sessions query NUL", "GET", "/api/ui/experiments/EXP/sessions?q=%00&filter=%00&page_token=%00"],
    ["UI users query NUL", "GET", "/api/ui/experiments/EXP/users?q=%00&filter=%00&page_token=%00"],
    ["UI changes since past 2^63", "GET", "/api/ui/experiments/EXP/traces/changes?since=-99999999999999999999"],
    ["UI changes since 1e300", "GET", "/api/ui/experiments/EXP/traces/changes?since=1e300"],
    // the HTTP method TRACE
    ["TRACE on an MLflow route", "TRACE", "/api/2.0/mlflow/experiments/search", undefined, 405],
    ["TRACE on an unknown MLflow path", "TRACE", "/api/2.0/mlflow/nothing", undefined, 405],
  ];
  const failures: string[] = [];
  for (const [what, method, p, body, status] of cases) {
    const path = p.replaceAll("EXP", exp).replaceAll("CONTROL", control);
    const r = await raw(base, method, path, body?.replaceAll('"EXP"', JSON.stringify(exp)).replaceAll("CONTROL", control));
    try {
      assertEnvelope(r, `${what} (${method} ${path.slice(0, 120)})`, status);
    } catch (err) {
      failures.push((err as Error).message.split("\n")[0]);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} malformed inputs failed:\n${failures.join("\n")}`);
});

test("limits: tags per trace, tag and metadata sizes, filter nesting, IN lists (400 with a clear message)", async () => {
  const base = baseUrl();
  const loc = { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } }] };
  const manyTags = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, "v"]));
  const start = (o: Parameters<typeof startTraceBody>[2]) => JSON.stringify(startTraceBody(exp, randomTraceId(), o));
  const cases: [string, string, string, string, RegExp][] = [
    ["50,000 tags on one trace", "POST", "/api/3.0/mlflow/traces", start({ tags: manyTags }), /more than the limit of 1000 per trace/],
    ["a tag key of 251 characters", "POST", "/api/3.0/mlflow/traces", start({ tags: { ["k".repeat(251)]: "v" } }), /maximum length of 250/],
    ["a tag value of 8,001 characters", "POST", "/api/3.0/mlflow/traces", start({ tags: { k: "v".repeat(8001) } }), /maximum length of 8000/],
    ["a metadata value of 8,001 characters", "POST", "/api/3.0/mlflow/traces", start({ metadata: { k: "v".repeat(8001) } }), /trace_metadata.*maximum length of 8000/],
    ["v2 start with 1,001 tags", "POST", "/api/2.0/mlflow/traces", JSON.stringify({ experiment_id: exp, tags: Array.from({ length: 1001 }, (_, i) => ({ key: `k${i}`, value: "v" })) }), /'tags'.*limit of 1000/],
    ["51 nested parentheses", "POST", "/api/3.0/mlflow/traces/search", JSON.stringify({ ...loc, filter: parens(51) }), /more than 50 levels deep at column 51/],
    ["an IN list of 1,001 values", "POST", "/api/3.0/mlflow/traces/search", JSON.stringify({ ...loc, filter: `tag.a IN (${Array.from({ length: 1001 }, (_, i) => `'${i}'`).join(",")})` }), /More than 1000 values in the list after IN at column/],
    ["201 comparisons", "POST", "/api/3.0/mlflow/traces/search", JSON.stringify({ ...loc, filter: Array.from({ length: 201 }, () => "tag.a = 'x'").join(" OR ") }), /more than 200 comparisons at column/],
  ];
  for (const [what, method, path, body, message] of cases) {
    const r = await raw(base, method, path, body);
    assertEnvelope(r, what, 400);
    assert.match(r.json.message, message, what);
  }
  // within the limits: accepted
  const ok = await raw(base, "POST", "/api/3.0/mlflow/traces", start({ tags: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, "v".repeat(100)])) }));
  assert.equal(ok.status, 200, ok.text.slice(0, 300));
  const deep = await raw(base, "POST", "/api/3.0/mlflow/traces/search", JSON.stringify({ ...loc, filter: parens(50) }));
  assert.equal(deep.status, 200, deep.text.slice(0, 300));
  // one tag at a time stops at the limit too, and an existing key can still be overwritten
  const id = ok.json.trace.trace_info.trace_id;
  const more = await raw(base, "PATCH", `/api/2.0/mlflow/traces/${id}/tags`, JSON.stringify({ key: "one-more", value: "v" }));
  assertEnvelope(more, "the 1,001st tag", 400);
  assert.match(more.json.message, /already has 1000 tags/);
  const overwrite = await raw(base, "PATCH", `/api/2.0/mlflow/traces/${id}/tags`, JSON.stringify({ key: "k7", value: "new" }));
  assert.equal(overwrite.status, 200, overwrite.text);
});

const deepKv = (depth: number) => {
    let v = '{"stringValue":"leaf"}';
    for (let i = 0; i < depth; i++) v = `{"kvlistValue":{"values":[{"key":"k","value":${v}}]}}`;
    return v;
  };
const otlpDoc = (attrValue: string, extra = "") =>
  `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${randomTraceId().slice(3)}","spanId":"0123456789abcdef","name":"s${extra}","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000","attributes":[{"key":"a","value":${attrValue}}]}]}]}]}`;

async function otlpCases(cases: [string, string][]) {
  for (const [what, body] of cases) {
    const r = await raw(baseUrl(), "POST", "/v1/traces", body, { "x-mlflow-experiment-id": exp });
    assert.ok(r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
    if (r.status >= 400) assert.equal(typeof r.json?.message, "string", `${what}: ${r.text.slice(0, 300)}`);
  }
}

test("OTLP: junk a decoder or the database chokes on answers < 500 (400 with a message, or per-span rejection)", async () => {
  await otlpCases([
    ["body nested 100,000 deep", "[".repeat(100_000) + "]".repeat(100_000)],
    ["NUL in a span name", otlpDoc('{"stringValue":"x"}', "\\u0000")],
    ["arrayValue whose values is no list", otlpDoc('{"arrayValue":{"values":"abc"}}')],
  ]);
});

// Found here, left to issue #14 item 5 (per-span validation, another change): a span attribute nested 6,000
// deep gets no answer within 30 s (the decoder alone throws its RangeError in ~60 ms; the request then hangs).
test("OTLP: span attributes nested 6,000 and 100,000 deep answer < 500", async () => {
  await otlpCases([
    ["attribute nested 6,000 deep", otlpDoc(deepKv(6000))],
    ["attribute nested 100,000 deep (decoded in a worker)", otlpDoc(deepKv(100_000))],
  ]);
});

test("TRACE answers 405 with an Allow header", async () => {
  const r = await raw(baseUrl(), "TRACE", "/api/3.0/mlflow/traces/search");
  assertEnvelope(r, "TRACE", 405);
  assert.match(String(r.headers.allow ?? ""), /GET/);
});

// Token and user names live behind --auth: a second server on the test database.
let auth: AuthServer | undefined;
after(async () => {
  await auth?.stop();
});

test("NUL characters and huge ids in account routes answer 4xx (--auth)", async () => {
  auth = await startAuthServer();
  const admin = basic(auth.admin.username, auth.admin.password);
  const user = uniqueName("u");
  const cases: [string, string, string, string?][] = [
    ["token name", "POST", "/api/auth/tokens", JSON.stringify({ name: "t\u0000" })],
    ["user name", "POST", "/api/auth/users", JSON.stringify({ username: "u\u0000", password: "longenough-password-1" })],
    ["MLflow create user", "POST", "/api/2.0/mlflow/users/create", JSON.stringify({ username: "u\u0000", password: "longenough-password-1" })],
    ["MLflow get user", "GET", "/api/2.0/mlflow/users/get?username=u%00"],
    ["user path", "PATCH", "/api/auth/users/u%00", JSON.stringify({ disabled: true })],
    ["user path invalid escape", "PATCH", "/api/auth/users/u%FF%FE", JSON.stringify({ disabled: true })],
    ["token id past 2^63", "DELETE", "/api/auth/tokens/9999999999999999999"],
    ["permission for a NUL user", "POST", "/api/2.0/mlflow/experiments/permissions/create", JSON.stringify({ experiment_id: exp, username: "u\u0000", permission: "READ" })],
    ["permission get NUL user", "GET", `/api/2.0/mlflow/experiments/permissions/get?experiment_id=${exp}&username=u%00`],
    ["MLflow update password NUL", "PATCH", "/api/2.0/mlflow/users/update-password", JSON.stringify({ username: user + "\u0000", password: "longenough-password-2" })],
  ];
  const failures: string[] = [];
  for (const [what, method, path, body] of cases) {
    const r = await raw(auth.url, method, path, body, { ...admin, origin: auth.url });
    try {
      assertEnvelope(r, `${what} (${method} ${path})`);
    } catch (err) {
      failures.push((err as Error).message.split("\n")[0]);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} failed:\n${failures.join("\n")}`);
});
