import assert from "node:assert/strict";
import { test } from "node:test";
import { durationJson, parseDurationMs, parseTimestampMs, parseTraceState, timestampJson, traceInfoV2Json, traceInfoV3Json } from "./format";
import { parseJson, stringifyJson } from "./json";
import { Router } from "./router";
import { HttpAnswer, type HttpRequest } from "../http/exchange";
import { webRoute } from "./route";

test("int64 survives a parse/stringify round trip exactly", () => {
  const text = '{"start_time_unix_nano":1718460461282000123,"n":-9223372036854775807,"small":42,"f":1.5,"s":"1718460461282000123"}';
  const v = parseJson(text) as Record<string, unknown>;
  assert.equal(v.start_time_unix_nano, 1718460461282000123n);
  assert.equal(v.n, -9223372036854775807n);
  assert.equal(v.small, 42);
  assert.equal(v.s, "1718460461282000123");
  assert.equal(stringifyJson(v), text);
  assert.equal(stringifyJson({ a: [1n, 2n ** 64n], b: "x" }), '{"a":[1,18446744073709551616],"b":"x"}');
});

test("Timestamp and Duration in protobuf JSON form", () => {
  assert.equal(timestampJson(1718460461282n), "2024-06-15T14:07:41.282Z");
  assert.equal(durationJson(1537n), "1.537s");
  assert.equal(durationJson(45), "0.045s");
  assert.equal(durationJson(2000n), "2s");
  assert.equal(parseDurationMs("1.537s", "d"), 1537n);
  assert.equal(parseDurationMs("0.0455s", "d"), 46n);
  assert.equal(parseDurationMs("3s", "d"), 3000n);
  assert.equal(parseTimestampMs("2024-06-15T14:07:41.282Z", "t"), 1718460461282n);
  assert.equal(parseTimestampMs("2024-06-15T14:07:41.282123456Z", "t"), 1718460461282n);
  assert.throws(() => parseDurationMs("soon", "execution_duration"), /execution_duration/);
  assert.throws(() => parseTimestampMs("yesterday", "request_time"), /request_time/);
});

test("trace states by name or number, v2 names too", () => {
  assert.equal(parseTraceState("OK"), "OK");
  assert.equal(parseTraceState(2), "ERROR");
  assert.equal(parseTraceState("TRACE_STATUS_UNSPECIFIED"), "STATE_UNSPECIFIED");
  assert.throws(() => parseTraceState("DONE"), /state/);
});

test("TraceInfo v3 and v2 shapes", () => {
  const row = {
    traceId: "tr-0af7651916cd43dd8448eb211c80319c",
    experimentId: 1n,
    clientRequestId: null,
    requestTime: 1718460461282n,
    executionDuration: 1537n,
    state: "OK",
    requestPreview: "q",
    responsePreview: null,
    metadata: { "mlflow.trace_schema.version": "3" },
    tags: { "mlflow.traceName": "chat" },
  };
  assert.deepEqual(traceInfoV3Json(row), {
    trace_id: row.traceId,
    trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "1" } },
    request_preview: "q",
    request_time: "2024-06-15T14:07:41.282Z",
    execution_duration: "1.537s",
    state: "OK",
    trace_metadata: { "mlflow.trace_schema.version": "3" },
    tags: { "mlflow.traceName": "chat" },
    assessments: [],
  });
  assert.equal(
    stringifyJson(traceInfoV2Json(row)),
    '{"request_id":"tr-0af7651916cd43dd8448eb211c80319c","experiment_id":"1","timestamp_ms":1718460461282,"execution_time_ms":1537,"status":"OK","request_metadata":[{"key":"mlflow.trace_schema.version","value":"3"}],"tags":[{"key":"mlflow.traceName","value":"chat"}]}',
  );
});

test("router: literal segments beat parameters, rest parameters take the remainder", async () => {
  const r = new Router();
  const tag = (name: string) => async (_req: HttpRequest, params: Record<string, string>) => new HttpAnswer(200, {}, JSON.stringify({ name, params }));
  r.add("GET", "/3.0/mlflow/traces/{trace_id}", tag("info"));
  r.add("GET", "/3.0/mlflow/traces/search", tag("search"));
  r.add("GET", "/3.0/mlflow/traces/{trace_id}/assessments/{assessment_id}", tag("assessment"));
  r.add("PUT", "/2.0/mlflow-artifacts/artifacts/{path+}", tag("artifact"));
  const call = async (method: string, path: string) => (await webRoute((req) => r.dispatch(req, path.split("/").filter(Boolean)))(new Request("http://x/api" + path, { method }))).json();
  assert.equal((await call("GET", "/3.0/mlflow/traces/search")).name, "search");
  assert.deepEqual((await call("GET", "/3.0/mlflow/traces/tr-1")).params, { trace_id: "tr-1" });
  assert.deepEqual((await call("GET", "/3.0/mlflow/traces/tr-1/assessments/a-2")).params, { trace_id: "tr-1", assessment_id: "a-2" });
  assert.deepEqual((await call("PUT", "/2.0/mlflow-artifacts/artifacts/1/traces/tr-1/artifacts/traces.json")).params, { path: "1/traces/tr-1/artifacts/traces.json" });
  assert.equal((await call("GET", "/3.0/mlflow/nothing")).error_code, "ENDPOINT_NOT_FOUND");
  assert.equal((await call("DELETE", "/3.0/mlflow/traces/search")).error_code, "ENDPOINT_NOT_FOUND");
});
