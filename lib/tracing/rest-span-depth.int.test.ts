// The value depth limit of OTLP (MAX_VALUE_DEPTH, issue 14 defect 5) on the REST paths that store span
// and assessment JSON: a traces.json upload (TypeScript SDK: decoded values; Python: JSON text) or a
// StartTraceV3 assessment nested too deep answers 400 INVALID_PARAMETER_VALUE (MLflow semantics, the
// request fails as a whole) and stores nothing; never 500, never acknowledged data that cannot be read back.
// The deepest accepted values are read back through traces/get and the UI trace view API.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { closeTestDb, http, newExperiment, randomHex, randomTraceId, startTraceBody, testDb } from "../testing/mlflow";
import { MAX_VALUE_DEPTH } from "./values";

after(closeTestDb);

const artifactPath = (exp: string, traceId: string) => `/api/2.0/mlflow-artifacts/artifacts/${exp}/traces/${traceId}/artifacts/traces.json`;
const deepText = (depth: number) => "[".repeat(depth) + "1" + "]".repeat(depth);
const deepObjectText = (depth: number) => '{"a":'.repeat(depth) + '"leaf"' + "}".repeat(depth);

/** A format A traces.json text with one root span; `attributes` is spliced in as JSON text. */
function doc(spanId: string, attributesText: string, eventAttributesText = "{}"): string {
  const start = BigInt(Date.now()) * 1_000_000n;
  return (
    `{"spans":[{"trace_id":"","span_id":"${Buffer.from(spanId, "hex").toString("base64")}","parent_span_id":"","name":"root",` +
    `"start_time_unix_nano":${start},"end_time_unix_nano":${start + 1000n},"status":{"code":"STATUS_CODE_OK","message":""},` +
    `"attributes":${attributesText},"events":[{"name":"e","time_unix_nano":${start},"attributes":${eventAttributesText}}]}]}`
  );
}

async function started(exp: string): Promise<string> {
  const traceId = randomTraceId();
  const r = await http("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, traceId));
  assert.equal(r.status, 200, r.text);
  return traceId;
}

async function spanCount(traceId: string): Promise<number> {
  const { rows } = await testDb().query("SELECT count(*)::int AS n FROM spans WHERE trace_id = $1", [traceId]);
  return rows[0].n;
}

const TOO_DEEP: [string, (spanId: string) => string][] = [
  ["TS SDK decoded inputs, 65 deep", (id) => doc(id, `{"mlflow.spanInputs":${deepObjectText(MAX_VALUE_DEPTH + 1)}}`)],
  ["TS SDK decoded inputs, 5000 deep", (id) => doc(id, `{"mlflow.spanInputs":${deepText(5000)}}`)],
  ["Python JSON-text inputs, 3000 deep", (id) => doc(id, `{"mlflow.spanInputs":${JSON.stringify(deepText(3000))}}`)],
  ["Python JSON-text inputs, 65 deep", (id) => doc(id, `{"mlflow.spanInputs":${JSON.stringify(deepText(MAX_VALUE_DEPTH + 1))}}`)],
  ["event attribute, 65 deep", (id) => doc(id, "{}", `{"deep":${deepText(MAX_VALUE_DEPTH + 1)}}`)],
];

for (const [name, make] of TOO_DEEP) {
  test(`traces.json: ${name} → 400 INVALID_PARAMETER_VALUE, nothing stored`, async () => {
    const exp = await newExperiment("depth");
    const traceId = await started(exp);
    const r = await http("PUT", artifactPath(exp, traceId), make(randomHex(8)), { "content-type": "application/json" });
    assert.equal(r.status, 400, r.text.slice(0, 300));
    assert.equal((r.json as any).error_code, "INVALID_PARAMETER_VALUE");
    assert.match((r.json as any).message, /deeper than 64/);
    assert.equal(await spanCount(traceId), 0);
  });
}

test("traces.json: a start time at 2^63 → 400 naming the field", async () => {
  const exp = await newExperiment("depth");
  const traceId = await started(exp);
  const text = doc(randomHex(8), "{}").replace(/"start_time_unix_nano":\d+/, '"start_time_unix_nano":9223372036854775808');
  const r = await http("PUT", artifactPath(exp, traceId), text, { "content-type": "application/json" });
  assert.equal(r.status, 400, r.text);
  assert.match((r.json as any).message, /start_time_unix_nano/);
});

test(`traces.json: values exactly ${MAX_VALUE_DEPTH} deep are stored and read back (traces/get, UI)`, async () => {
  for (const attrs of [
    `{"mlflow.spanInputs":${deepObjectText(MAX_VALUE_DEPTH)},"mlflow.spanOutputs":${deepText(MAX_VALUE_DEPTH)}}`,
    `{"mlflow.spanInputs":${JSON.stringify(deepObjectText(MAX_VALUE_DEPTH))},"other":${JSON.stringify(deepText(MAX_VALUE_DEPTH))}}`,
  ]) {
    const exp = await newExperiment("depth");
    const traceId = await started(exp);
    const spanId = randomHex(8);
    const put = await http("PUT", artifactPath(exp, traceId), doc(spanId, attrs, `{"deep":${deepText(MAX_VALUE_DEPTH)}}`), { "content-type": "application/json" });
    assert.equal(put.status, 200, put.text.slice(0, 300));
    assert.equal(await spanCount(traceId), 1);
    const get = await http("GET", `/api/3.0/mlflow/traces/get?trace_id=${traceId}`);
    assert.equal(get.status, 200, get.text.slice(0, 300));
    for (const p of [`/api/ui/traces/${traceId}`, `/api/ui/traces/${traceId}/spans`, `/api/ui/traces/${traceId}/spans/${spanId}`]) {
      const r = await http("GET", p);
      assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 300)}`);
    }
  }
});

test("StartTraceV3: an assessment value nested past the limit → 400; at the limit it is stored and read back", async () => {
  const exp = await newExperiment("depth");
  const assessment = (value: unknown) => ({ assessment_name: "deep", source: { source_type: "HUMAN", source_id: "u" }, feedback: { value } });
  const nested = (depth: number) => JSON.parse(deepObjectText(depth));
  const deep = randomTraceId();
  const bad = await http("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, deep, { assessments: [assessment(nested(MAX_VALUE_DEPTH + 1))] }));
  assert.equal(bad.status, 400, bad.text.slice(0, 300));
  assert.equal((bad.json as any).error_code, "INVALID_PARAMETER_VALUE");
  assert.equal((await http("GET", `/api/3.0/mlflow/traces/${deep}`)).status, 404, "nothing stored");
  const ok = randomTraceId();
  const good = await http("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, ok, { assessments: [assessment(nested(MAX_VALUE_DEPTH))] }));
  assert.equal(good.status, 200, good.text.slice(0, 300));
  const back = await http("GET", `/api/3.0/mlflow/traces/${ok}`);
  assert.equal(back.status, 200, back.text.slice(0, 300));
  assert.equal((await http("GET", `/api/ui/traces/${ok}`)).status, 200);
});
