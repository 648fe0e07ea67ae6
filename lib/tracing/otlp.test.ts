import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../errors";
import { decodeOtlpTraces, decodeExportResponse, encodeExportRequest, encodeExportResponse } from "./otlp";
import { bodyOf, otlpLines } from "../testing/otlp-fixtures";
import type { NormalizedSpan } from "./model";

const PB = "application/x-protobuf";

function decodeLine(file: string, i: number) {
  const l = otlpLines(file)[i];
  return decodeOtlpTraces(bodyOf(l), l.headers["content-type"]);
}

test("protobuf fixture (OTel JS exporter) decodes to the span model exactly as recorded", () => {
  const line = otlpLines("c1-otel-otlp-proto.jsonl")[1];
  const r = decodeOtlpTraces(bodyOf(line), PB);
  assert.equal(r.rejected, 0);
  const expected = (line.body_otlp as any).resourceSpans[0].scopeSpans[0].spans;
  assert.equal(r.spans.length, expected.length);
  for (const [i, s] of r.spans.entries()) {
    const e = expected[i];
    assert.equal(s.traceId, "tr-" + e.traceId);
    assert.equal(s.spanId, e.spanId);
    assert.equal(s.parentSpanId, e.parentSpanId ?? null);
    assert.equal(s.name, e.name);
    assert.equal(s.startTimeNs, BigInt(e.startTimeUnixNano), "ns exact beyond 2^53");
    assert.equal(s.endTimeNs, BigInt(e.endTimeUnixNano));
    assert.equal(s.attributes["mlflow.traceRequestId"], s.traceId);
  }
  const web = r.spans.find((s) => s.name === "web_search")!;
  assert.equal(web.status.code, "ERROR");
  assert.match(web.status.message, /search backend unavailable/);
  assert.equal(web.events[0].name, "exception");
  assert.equal(typeof web.events[0].attributes["exception.stacktrace"], "string");
  const gen = r.spans.find((s) => s.name === "generate_answer")!;
  assert.deepEqual(gen.attributes["mlflow.chat.tokenUsage"], { input_tokens: 42, output_tokens: 12, total_tokens: 54 }, "JSON text decoded");
  assert.equal(gen.attributes["gen_ai.usage.input_tokens"], 42, "intValue → number");
  assert.equal(gen.kind, "SPAN_KIND_INTERNAL");
});

test("OTLP/JSON fixture: numeric enums, number intValues, hex ids", () => {
  const r = decodeLine("c2-otel-otlp-json.jsonl", 1);
  assert.equal(r.rejected, 0);
  assert.equal(r.spans.length, 7);
  const web = r.spans.find((s) => s.name === "web_search")!;
  assert.equal(web.status.code, "ERROR");
  const root = r.spans.find((s) => s.parentSpanId === null)!;
  assert.equal(root.name, "agent_turn");
  assert.equal(root.attributes["session.id"], "session-fixture-0001");
  assert.equal(r.resourceAttributes[0]["service.name"], "mlflow-acceptance-otel-client");
});

test("Python client's typed values decode like the SDKs' JSON text", () => {
  const spans: NormalizedSpan[] = otlpLines("p-python-client-session.jsonl").flatMap((l) => decodeOtlpTraces(bodyOf(l), PB).spans);
  assert.equal(spans.length, 19);
  const calc = spans.find((s) => s.name === "calculator")!;
  assert.deepEqual(calc.attributes["mlflow.spanInputs"], { a: 6, b: 7 });
  const gen = spans.find((s) => s.name === "generate_answer")!;
  const u = gen.attributes["mlflow.chat.tokenUsage"] as Record<string, number>;
  assert.equal(typeof u.input_tokens, "number");
  const plan = spans.find((s) => s.name === "plan")!;
  assert.equal(plan.kind, undefined, "no kind sent");
  assert.ok(Array.isArray((plan.attributes["mlflow.spanOutputs"] as any).steps));
});

test("JSON decoding: enums by name, int64 as strings or numbers, exact 64-bit times, snake_case keys", () => {
  const body = `{"resource_spans":[{"scope_spans":[{"spans":[
    {"trace_id":"0AF7651916CD43DD8448EB211C80319C","span_id":"00f067aa0ba902b7","name":"a","kind":"SPAN_KIND_SERVER",
     "start_time_unix_nano":1795600266650000123,"end_time_unix_nano":"1795600266650999999",
     "attributes":[{"key":"n","value":{"int_value":"9007199254740993"}},{"key":"m","value":{"intValue":7}},
                   {"key":"d","value":{"doubleValue":1.5}},{"key":"b","value":{"boolValue":true}},
                   {"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"42"}]}}}],
     "status":{"code":"STATUS_CODE_ERROR","message":"x"}}]}]}]}`;
  const r = decodeOtlpTraces(Buffer.from(body), "application/json; charset=utf-8");
  const [s] = r.spans;
  assert.equal(s.traceId, "tr-0af7651916cd43dd8448eb211c80319c");
  assert.equal(s.kind, "SPAN_KIND_SERVER");
  assert.equal(s.startTimeNs, 1795600266650000123n);
  assert.equal(s.endTimeNs, 1795600266650999999n);
  assert.equal(s.attributes.n, "9007199254740993", "beyond 2^53 kept exact as text");
  assert.equal(s.attributes.m, 7);
  assert.equal(s.attributes.d, 1.5);
  assert.equal(s.attributes.b, true);
  assert.deepEqual(s.attributes.arr, ["42"], "nested strings stay raw");
  assert.deepEqual(s.status, { code: "ERROR", message: "x" });
});

test("bad spans are rejected one by one; undecodable bodies throw ApiError", () => {
  const body = JSON.stringify({
    resourceSpans: [{ scopeSpans: [{ spans: [
      { traceId: "00000000000000000000000000000000", spanId: "00f067aa0ba902b7", name: "zero" },
      { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "short", name: "short" },
      { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "00f067aa0ba902b7", name: "ok", startTimeUnixNano: "1" },
    ] }] }],
  });
  const r = decodeOtlpTraces(Buffer.from(body), "application/json");
  assert.equal(r.spans.length, 1);
  assert.equal(r.rejected, 2);
  assert.equal(r.errors.length, 2);
  assert.throws(() => decodeOtlpTraces(Buffer.from([0x0a, 0xff, 0xff, 0xff]), PB), (e: ApiError) => e.status === 400 && /Invalid OTLP protobuf body/.test(e.message));
  assert.throws(() => decodeOtlpTraces(Buffer.from("[1]"), "application/json"), (e: ApiError) => e.status === 400);
  assert.throws(() => decodeOtlpTraces(Buffer.from(""), "text/plain"), (e: ApiError) => e.status === 415);
  assert.deepEqual(decodeOtlpTraces(new Uint8Array(0), PB).spans, []);
});

test("ExportTraceServiceResponse: empty by default, partial_success when spans were rejected", () => {
  assert.equal((encodeExportResponse("protobuf", 0, "").body as Uint8Array).length, 0);
  assert.equal(encodeExportResponse("json", 0, "").body, "{}");
  const pb = encodeExportResponse("protobuf", 3, "bad ids");
  assert.deepEqual(decodeExportResponse(pb.body as Uint8Array), { rejectedSpans: 3, errorMessage: "bad ids" });
  assert.deepEqual(JSON.parse(encodeExportResponse("json", 3, "bad ids").body as string), { partialSuccess: { rejectedSpans: "3", errorMessage: "bad ids" } });
});

test("typed AnyValues (Python client) and JSON-text values (SDKs) give the same stored rows", async () => {
  const { encodeExportRequest } = await import("./otlp");
  const { spanCopyRows } = await import("../store/ingest");
  const ids = { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2) };
  const base = { ...ids, name: "generate_answer", startTimeUnixNano: "1795600266650000000", endTimeUnixNano: "1795600266650999999", status: { code: 1 } };
  const kv = (values: [string, unknown][]) => ({ kvlistValue: { values: values.map(([key, value]) => ({ key, value })) } });
  const typed = encodeExportRequest({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...base, attributes: [
    { key: "mlflow.spanType", value: { stringValue: "CHAT_MODEL" } },
    { key: "mlflow.spanInputs", value: kv([["question", { stringValue: "What is 6*7?" }], ["top_k", { intValue: 2 }], ["tags", { arrayValue: { values: [{ stringValue: "a" }, { boolValue: true }] } }]]) },
    { key: "mlflow.spanOutputs", value: kv([["answer", { stringValue: "42" }], ["score", { doubleValue: 0.5 }]]) },
    { key: "mlflow.chat.tokenUsage", value: kv([["input_tokens", { intValue: 42 }], ["output_tokens", { intValue: 12 }], ["total_tokens", { intValue: 54 }]]) },
  ] }] }] }] });
  const text = encodeExportRequest({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...base, attributes: [
    { key: "mlflow.spanType", value: { stringValue: '"CHAT_MODEL"' } },
    { key: "mlflow.spanInputs", value: { stringValue: '{"question": "What is 6*7?", "top_k": 2, "tags": ["a", true]}' } },
    { key: "mlflow.spanOutputs", value: { stringValue: '{"answer":"42","score":0.5}' } },
    { key: "mlflow.chat.tokenUsage", value: { stringValue: '{"input_tokens": 42, "output_tokens": 12, "total_tokens": 54}' } },
  ] }] }] }] });
  const a = decodeOtlpTraces(typed, PB).spans;
  const b = decodeOtlpTraces(text, PB).spans;
  assert.deepEqual(a, b);
  // the same row; JSON columns equal as JSON (JSON text is stored as the client wrote it, spacing included)
  const fields = (row: string) => row.replace(/\n$/, "").split("\t");
  const [ra, rb] = [fields(spanCopyRows("1", a)), fields(spanCopyRows("1", b))];
  const JSON_COLUMNS = new Set([10, 11, 12, 13]);
  assert.deepEqual(ra.filter((_, i) => !JSON_COLUMNS.has(i)), rb.filter((_, i) => !JSON_COLUMNS.has(i)));
  for (const i of JSON_COLUMNS) assert.deepEqual(JSON.parse(ra[i]), JSON.parse(rb[i]), `column ${i}`);
  assert.equal(rb[11], '{"question": "What is 6*7?", "top_k": 2, "tags": ["a", true]}', "inputs kept as sent");
  assert.equal((a[0].attributes["mlflow.spanOutputs"] as any).answer, "42", "a string inside a kvlist stays a string");
});

test("per-span validation: bad times and values nested past the limit reject only their span (JSON and protobuf)", () => {
  const span = (name: string, start: unknown, attrs: unknown[] = []) => ({ traceId: "ab".repeat(16), spanId: "cd".repeat(8), name, startTimeUnixNano: start, endTimeUnixNano: "2000", attributes: attrs });
  const deepText = (d: number) => "[".repeat(d) + "]".repeat(d);
  const spans = [
    span("ok", "1000"),
    span("abc", "abc"),
    span("null", null),
    span("frac", "1.5"),
    span("neg", -1),
    span("huge", "9223372036854775808"),
    span("deep", "1000", [{ key: "mlflow.spanInputs", value: { stringValue: deepText(65) } }]),
    span("at-limit", "1000", [{ key: "mlflow.spanInputs", value: { stringValue: deepText(64) } }]),
    span("ok-after-deep", "1000"),
  ];
  const r = decodeOtlpTraces(Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] })), "application/json");
  assert.deepEqual(r.spans.map((s) => s.name), ["ok", "at-limit", "ok-after-deep"]);
  assert.equal(r.rejected, 6);
  assert.match(r.errors.join("\n"), /span 'abc': startTimeUnixNano "abc"/);
  assert.match(r.errors.join("\n"), /span 'deep': attribute 'mlflow.spanInputs' nests deeper than 64/);
  assert.equal(r.spans[1].startTimeNs, 1000n);

  const pbBody = encodeExportRequest({
    resourceSpans: [{ scopeSpans: [{ spans: [
      { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: "huge", startTimeUnixNano: "9223372036854775808" },
      { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 3), name: "missing-start" },
      { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 4), name: "ok", startTimeUnixNano: "1000" },
    ] }] }],
  });
  const p = decodeOtlpTraces(pbBody, PB);
  assert.deepEqual(p.spans.map((s) => s.name), ["ok"]);
  assert.equal(p.rejected, 2);
  assert.match(p.errors[0], /'huge': start_time_unix_nano 9223372036854775808 is not below 2\^63/);
});
