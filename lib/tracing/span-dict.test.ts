import assert from "node:assert/strict";
import { test } from "node:test";
import { readWire } from "../testing/otlp-fixtures";
import { decodeSpanDicts, decodeSpanDictsText } from "./span-dict";
import { stringifyWithBigInts, toOtlpJsonSpan, toSpanDictV3 } from "./encode";

const TRACE = "tr-0af7651916cd43dd8448eb211c80319c";

test("format A from the TypeScript SDK (decoded values, mangled trace_id) uses the path's trace id", () => {
  const put = readWire("b-nested-spans-session.jsonl").find((l) => l.method === "PUT" && l.path.endsWith("traces.json"))!;
  const traceId = /traces\/(tr-[0-9a-f]{32})\//.exec(put.path)![1];
  const spans = decodeSpanDictsText(put.body_text!, { traceId });
  assert.ok(spans.length >= 6);
  for (const s of spans) {
    assert.equal(s.traceId, traceId);
    assert.equal(s.attributes["mlflow.traceRequestId"], traceId);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.ok(s.startTimeNs > 1_700_000_000_000_000_000n);
  }
  const root = spans.find((s) => s.parentSpanId === null)!;
  assert.equal(root.name, "agent_turn");
  assert.equal(root.attributes["mlflow.spanType"], "AGENT");
  const raw = JSON.parse(put.body_text!).spans.find((s: any) => s.name === "calculator");
  assert.deepEqual(spans.find((s) => s.name === "calculator")!.attributes["mlflow.spanInputs"], raw.attributes["mlflow.spanInputs"]);
  // exact nanoseconds from the text
  const m = /"start_time_unix_nano":\s*(\d+)/.exec(put.body_text!)!;
  assert.ok(spans.some((s) => s.startTimeNs === BigInt(m[1])));
});

test("format A from Python (JSON-encoded values), B (v2 context) and C (v4 hex) decode alike", () => {
  const a = decodeSpanDicts(
    { spans: [{ trace_id: "x", span_id: "ALdSZtz6ZWI=", parent_span_id: "", name: "chat", start_time_unix_nano: 5, end_time_unix_nano: 6,
      attributes: { "mlflow.spanType": '"LLM"', "mlflow.spanInputs": '{"q": 1}' }, status: { code: "STATUS_CODE_OK", message: "" },
      events: [{ name: "exception", time_unix_nano: 5, attributes: { "exception.message": "boom" } }] }] },
    { traceId: TRACE },
  );
  assert.equal(a[0].spanId, "00b75266dcfa6562");
  assert.equal(a[0].parentSpanId, null);
  assert.equal(a[0].attributes["mlflow.spanType"], "LLM");
  assert.deepEqual(a[0].attributes["mlflow.spanInputs"], { q: 1 });
  assert.equal(a[0].status.code, "OK");
  assert.equal(a[0].events[0].timeNs, 5n);
  const b = decodeSpanDicts(
    { spans: [{ name: "v2", context: { trace_id: "0x0af7651916cd43dd8448eb211c80319c", span_id: "0x00b75266dcfa6562" }, parent_id: "0x00000000000000aa",
      start_time: 10, end_time: 20, status_code: "ERROR", status_message: "bad", attributes: { "mlflow.spanType": '"TOOL"' }, events: [{ name: "e", timestamp: 11, attributes: {} }] }] },
    { traceId: TRACE },
  );
  assert.equal(b[0].spanId, "00b75266dcfa6562");
  assert.equal(b[0].parentSpanId, "00000000000000aa");
  assert.deepEqual(b[0].status, { code: "ERROR", message: "bad" });
  assert.equal(b[0].events[0].timeNs, 11n);
  const c = decodeSpanDicts(
    { spans: [{ trace_id: TRACE, otel_trace_id: "0af7651916cd43dd8448eb211c80319c", span_id: "00b75266dcfa6562", parent_span_id: null, name: "v4",
      start_time_unix_nano: 1, end_time_unix_nano: 2, attributes: {}, status: { code: "UNSET", message: "" }, events: [] }] },
    { traceId: TRACE },
  );
  assert.equal(c[0].spanId, "00b75266dcfa6562");
  assert.equal(c[0].status.code, "UNSET");
  assert.throws(() => decodeSpanDicts({ spans: [{ name: "no id", start_time_unix_nano: 1 }] }, { traceId: TRACE }), /no span_id/);
  assert.throws(() => decodeSpanDicts([], { traceId: TRACE }), /Invalid traces.json/);
});

test("encoders: format D (OTLP protobuf-JSON) and format A round-trip through the decoder", () => {
  const [span] = decodeSpanDicts(
    { spans: [{ span_id: "00b75266dcfa6562", parent_span_id: "00000000000000aa", name: "n", start_time_unix_nano: "1795600266650000123", end_time_unix_nano: "1795600266650000999",
      attributes: { "mlflow.spanInputs": '{"q": [1, 2.5, "x"]}', "mlflow.spanType": '"LLM"', flag: "true" }, status: { code: "STATUS_CODE_ERROR", message: "m" },
      events: [{ name: "e", time_unix_nano: "1795600266650000500", attributes: { k: "v" } }] }] },
    { traceId: TRACE },
  );
  const d = toOtlpJsonSpan(span) as any;
  assert.equal(d.trace_id, Buffer.from("0af7651916cd43dd8448eb211c80319c", "hex").toString("base64"));
  assert.equal(d.span_id, Buffer.from("00b75266dcfa6562", "hex").toString("base64"));
  assert.equal(d.start_time_unix_nano, 1795600266650000123n);
  assert.deepEqual(d.status, { code: "STATUS_CODE_ERROR", message: "m" });
  const inputs = d.attributes.find((kv: any) => kv.key === "mlflow.spanInputs").value;
  assert.deepEqual(inputs, { kvlist_value: { values: [{ key: "q", value: { array_value: { values: [{ int_value: 1 }, { double_value: 2.5 }, { string_value: "x" }] } } }] } });
  assert.match(stringifyWithBigInts(d), /"start_time_unix_nano":1795600266650000123,/);

  const a = toSpanDictV3(span) as any;
  assert.equal(a.parent_span_id, Buffer.from("00000000000000aa", "hex").toString("base64"));
  assert.equal(a.attributes["mlflow.spanType"], '"LLM"');
  assert.equal(a.status.code, "STATUS_CODE_ERROR");
  const [back] = decodeSpanDictsText(stringifyWithBigInts({ spans: [a] }), { traceId: TRACE });
  assert.deepEqual(back, span);
});
