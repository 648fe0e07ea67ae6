// The spec's worked example (§12.1): a Python 3.5 client on the incremental path, call by call, with the
// answers the spec describes.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { encodeExportRequest } from "../tracing/otlp";
import { closeTestDb, http, httpLossless, randomHex, testDb, uniqueName } from "../testing/mlflow";

after(closeTestDb);

function otlpSpan(traceHex: string, spanHex: string, parentHex: string | null, name: string, type: string, startNs: bigint, endNs: bigint) {
  const str = (v: string) => ({ stringValue: v });
  return {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: Buffer.from(traceHex, "hex"),
                spanId: Buffer.from(spanHex, "hex"),
                ...(parentHex ? { parentSpanId: Buffer.from(parentHex, "hex") } : {}),
                name,
                startTimeUnixNano: startNs.toString(),
                endTimeUnixNano: endNs.toString(),
                attributes: [
                  { key: "mlflow.traceRequestId", value: str(`tr-${traceHex}`) },
                  { key: "mlflow.spanType", value: str(type) },
                  { key: "mlflow.spanInputs", value: { kvlistValue: { values: [{ key: "question", value: str("What is MLflow?") }] } } },
                  { key: "mlflow.spanOutputs", value: str("MLflow is an open source platform") },
                ],
                status: { code: 1 },
              },
            ],
          },
        ],
      },
    ],
  };
}

test("§12.1: set_experiment('bot'), per-span OTLP, StartTraceV3, traces.json from an older client", async () => {
  const name = uniqueName("bot");
  const miss = await http("GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${name}`);
  assert.equal(miss.status, 404);
  assert.equal(miss.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  const created = await http("POST", "/api/2.0/mlflow/experiments/create", { name });
  assert.equal(created.status, 200);
  const exp = created.json.experiment_id;
  const got = await http("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${exp}`);
  assert.equal(got.json.experiment.artifact_location, `mlflow-artifacts:/${exp}`);
  const version = await http("GET", "/version");
  assert.equal(version.status, 200);
  assert.match(version.text, /^3\.(\d+)\./);
  assert.ok(Number(/^3\.(\d+)/.exec(version.text)![1]) >= 4);

  const traceHex = randomHex(16);
  const traceId = `tr-${traceHex}`;
  const chatId = randomHex(8);
  const llmId = randomHex(8);
  const t0 = BigInt(Date.now()) * 1_000_000n + 7n;
  const headers = { "content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp };
  const llm = await fetch(`${process.env.FLOWTRACE_URL}/v1/traces`, { method: "POST", headers, body: encodeExportRequest(otlpSpan(traceHex, llmId, chatId, "llm", "LLM", t0 + 1_000_000n, t0 + 900_000_000n)) as BodyInit });
  assert.equal(llm.status, 200);
  let row = (await testDb().query(`SELECT state, execution_duration FROM traces WHERE trace_id = $1`, [traceId])).rows[0];
  assert.equal(row.state, "IN_PROGRESS", "trace row created by the first span");

  const chat = await fetch(`${process.env.FLOWTRACE_URL}/v1/traces`, { method: "POST", headers, body: encodeExportRequest(otlpSpan(traceHex, chatId, null, "chat", "CHAIN", t0, t0 + 1_537_000_000n)) as BodyInit });
  assert.equal(chat.status, 200);
  row = (await testDb().query(`SELECT state, execution_duration FROM traces WHERE trace_id = $1`, [traceId])).rows[0];
  assert.equal(row.state, "OK", "root seen");
  assert.equal(Number(row.execution_duration), 1537);

  const start = await http("POST", "/api/3.0/mlflow/traces", {
    trace: {
      trace_info: {
        trace_id: traceId,
        trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } },
        request_time: new Date(Number(t0 / 1_000_000n)).toISOString(),
        execution_duration: "1.537s",
        state: "OK",
        trace_metadata: { "mlflow.trace_schema.version": "3" },
        tags: { "mlflow.traceName": "chat" },
      },
    },
  });
  assert.equal(start.status, 200, start.text);
  const tags = start.json.trace.trace_info.tags;
  assert.equal(tags["mlflow.traceName"], "chat");
  assert.equal(tags["mlflow.artifactLocation"], `mlflow-artifacts:/${exp}/traces/${traceId}/artifacts`);
  assert.equal(tags["mlflow.trace.spansLocation"], "TRACKING_STORE");

  // an older 3.x client uploads traces.json anyway: same two spans, no duplicates
  const b64 = (h: string) => Buffer.from(h, "hex").toString("base64");
  const span = (id: string, parent: string, n: string, type: string, s: bigint, e: bigint) => ({
    trace_id: b64(traceHex), span_id: b64(id), trace_state: "", parent_span_id: parent ? b64(parent) : "", name: n,
    start_time_unix_nano: s, end_time_unix_nano: e,
    attributes: { "mlflow.traceRequestId": JSON.stringify(traceId), "mlflow.spanType": JSON.stringify(type) },
    status: { code: "STATUS_CODE_OK", message: "" }, events: [],
  });
  const put = await httpLossless("PUT", `/api/2.0/mlflow-artifacts/artifacts/${exp}/traces/${traceId}/artifacts/traces.json`, {
    spans: [span(chatId, "", "chat", "CHAIN", t0, t0 + 1_537_000_000n), span(llmId, chatId, "llm", "LLM", t0 + 1_000_000n, t0 + 900_000_000n)],
  });
  assert.equal(put.status, 200);
  assert.deepEqual(put.json, {});
  const spans = (await testDb().query(`SELECT name, parent_span_id, span_type, start_time_ns::text AS s FROM spans WHERE trace_id = $1 ORDER BY start_time_ns`, [traceId])).rows;
  assert.deepEqual(spans, [
    { name: "chat", parent_span_id: null, span_type: "CHAIN", s: t0.toString() },
    { name: "llm", parent_span_id: chatId, span_type: "LLM", s: (t0 + 1_000_000n).toString() },
  ]);
});
