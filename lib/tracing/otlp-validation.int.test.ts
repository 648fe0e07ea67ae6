// Per-span validation of OTLP requests (issue 14, defect 5): one bad span (unstorable time, bad id, value
// nested past MAX_VALUE_DEPTH) is rejected on its own in partial_success and the good spans of the same
// request are stored; whatever is acknowledged reads back through traces/get and the UI trace view API.
// Each case runs in both encodings and both decoders (bodies ≥ 64 KiB go to the worker thread).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import protobuf from "protobufjs";
import { closeDb, getPool } from "../db";
import { createTestExperiment } from "../testing/ingest";
import { baseUrl, http } from "../testing/http";
import { decodeExportResponse, encodeExportRequest } from "./otlp";
import { MAX_VALUE_DEPTH } from "./values";
import { WORKER_MIN_BODY_BYTES } from "./otlp-workers";

after(() => closeDb());

const hex = (n: number) => randomBytes(n).toString("hex");
const NOW = BigInt(Date.now()) * 1_000_000n;

/** A span in a neutral form; `json`/`pb` render it per encoding (bad fields may be set raw per encoding). */
interface TestSpan {
  traceId: string;
  spanId: string;
  name: string;
  start?: unknown;
  end?: unknown;
  /** attributes in OTLP/JSON AnyValue form (the protobuf form is derived) */
  attributes: { key: string; value: Record<string, unknown> }[];
  events?: { name: string; timeUnixNano: unknown; attributes: { key: string; value: Record<string, unknown> }[] }[];
}

function goodSpan(pad: number): TestSpan {
  return {
    traceId: hex(16),
    spanId: hex(8),
    name: "good",
    start: String(NOW),
    end: String(NOW + 1_000_000n),
    attributes: [
      { key: "mlflow.spanInputs", value: { stringValue: JSON.stringify({ q: "x".repeat(pad) }) } },
      { key: "mlflow.spanType", value: { stringValue: '"CHAIN"' } },
    ],
  };
}

// Values too deep for JSON.stringify (a stack overflow in this process) are spliced in as text.
const RAW = "__raw_json_text__";
const rawTexts: string[] = [];
function rawJson(text: string): Record<string, unknown> {
  rawTexts.push(text);
  return { [RAW]: rawTexts.length - 1 };
}

function jsonBody(spans: TestSpan[]): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: spans.map((s) => ({ traceId: s.traceId, spanId: s.spanId, name: s.name, startTimeUnixNano: s.start, endTimeUnixNano: s.end, attributes: s.attributes, events: s.events ?? [] })) }] }],
  }).replace(new RegExp(`\\{"${RAW}":(\\d+)\\}`, "g"), (_m, i) => rawTexts[Number(i)]);
}

/** OTLP/JSON AnyValue → protobufjs fromObject form (same field names, values converted). */
function pbValue(v: Record<string, unknown>): Record<string, unknown> {
  if (v.arrayValue) return { arrayValue: { values: ((v.arrayValue as any).values as Record<string, unknown>[]).map(pbValue) } };
  if (v.kvlistValue) return { kvlistValue: { values: ((v.kvlistValue as any).values as any[]).map((kv) => ({ key: kv.key, value: pbValue(kv.value) })) } };
  return v;
}

function pbBody(spans: TestSpan[]): Uint8Array {
  // the server refuses messages nested past its recursion limit; this process must be able to write them
  protobuf.util.recursionLimit = 100_000;
  return encodeExportRequest({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              traceId: Buffer.from(s.traceId, "hex"),
              spanId: Buffer.from(s.spanId, "hex"),
              name: s.name,
              startTimeUnixNano: s.start,
              endTimeUnixNano: s.end,
              attributes: s.attributes.map((a) => ({ key: a.key, value: pbValue(a.value) })),
              events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: e.timeUnixNano, attributes: e.attributes.map((a) => ({ key: a.key, value: pbValue(a.value) })) })),
            })),
          },
        ],
      },
    ],
  });
}

async function postJson(exp: string, spans: TestSpan[]) {
  const body = jsonBody(spans);
  const r = await http("POST", "/v1/traces", body, { "content-type": "application/json", "x-mlflow-experiment-id": exp });
  const size = Buffer.byteLength(body);
  if (r.status !== 200) return { status: r.status, rejected: -1, message: r.text, size };
  const ps = (r.json as any)?.partialSuccess;
  return { status: r.status, rejected: Number(ps?.rejectedSpans ?? 0), message: String(ps?.errorMessage ?? ""), size };
}

/** protobuf responses need the bytes, which the text-based helper does not keep. */
async function postPb(exp: string, spans: TestSpan[]) {
  const body = Buffer.from(pbBody(spans));
  const res = await fetch(baseUrl() + "/v1/traces", { method: "POST", body, headers: { "content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200) return { status: res.status, rejected: -1, message: Buffer.from(bytes).toString(), size: body.length };
  const d = decodeExportResponse(bytes);
  return { status: res.status, rejected: d.rejectedSpans, message: d.errorMessage, size: body.length };
}

const send = (exp: string, enc: "json" | "protobuf", spans: TestSpan[]) => (enc === "json" ? postJson(exp, spans) : postPb(exp, spans));

async function storedTraceIds(exp: string): Promise<Set<string>> {
  const { rows } = await getPool().query<{ trace_id: string }>("SELECT trace_id FROM traces WHERE experiment_id = $1", [exp]);
  return new Set(rows.map((r) => r.trace_id));
}

/** JSON text / OTLP AnyValue nested `depth` levels deep. */
const deepJsonText = (depth: number) => "[".repeat(depth) + "1" + "]".repeat(depth);
function deepArrayValue(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { intValue: "1" };
  for (let i = 0; i < depth; i++) v = { arrayValue: { values: [v] } };
  return v;
}
function deepKvlistValue(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { stringValue: "leaf" };
  for (let i = 0; i < depth; i++) v = { kvlistValue: { values: [{ key: "k", value: v }] } };
  return v;
}

function badSpan(name: string, patch: Partial<TestSpan>): TestSpan {
  return { ...goodSpan(0), name, ...patch };
}

/** The bad spans of defect 5, per encoding; each names the problem its rejection message must mention. */
function badSpans(enc: "json" | "protobuf"): { span: TestSpan; problem: RegExp }[] {
  const inputs = (text: string) => [{ key: "mlflow.spanInputs", value: { stringValue: text } }];
  const common = [
    { span: badSpan("start-2^63", { start: "9223372036854775808" }), problem: /start_?time_?unix_?nano.*2\^63/i },
    { span: badSpan("end-2^64-1", { end: "18446744073709551615" }), problem: /end_?time_?unix_?nano.*2\^63/i },
    { span: badSpan("inputs-5000-deep", { attributes: inputs(deepJsonText(5000)) }), problem: /mlflow\.spanInputs.*deeper than 64/ },
    { span: badSpan("inputs-2000-deep", { attributes: inputs(deepJsonText(2000)) }), problem: /mlflow\.spanInputs.*deeper than 64/ },
    { span: badSpan("inputs-65-deep", { attributes: inputs(deepJsonText(MAX_VALUE_DEPTH + 1)) }), problem: /deeper than 64/ },
    { span: badSpan("anyvalue-65-deep", { attributes: [{ key: "deep", value: deepArrayValue(MAX_VALUE_DEPTH + 1) }] }), problem: /'deep'.*deeper than 64/ },
    { span: badSpan("event-kvlist-65-deep", { events: [{ name: "e", timeUnixNano: String(NOW), attributes: [{ key: "deep", value: deepKvlistValue(MAX_VALUE_DEPTH + 1) }] }] }), problem: /deeper than 64/ },
    { span: badSpan("event-time-2^63", { events: [{ name: "e", timeUnixNano: "9223372036854775808", attributes: [] }] }), problem: /event 'e'.*2\^63/ },
    { span: badSpan("no-start", { start: undefined }), problem: /start_?time_?unix_?nano is missing/i },
    { span: badSpan("zero-span-id", { spanId: "0000000000000000" }), problem: /span_?id/i },
  ];
  if (enc === "protobuf") {
    // nested past the server's protobuf recursion limit: the body is decoded span by span
    return [...common, { span: badSpan("anyvalue-1000-deep", { attributes: [{ key: "deep", value: deepArrayValue(1000) }] }), problem: /deeper than 64/ }];
  }
  return [
    ...common,
    { span: badSpan("start-abc", { start: "abc" }), problem: /startTimeUnixNano "abc"/ },
    { span: badSpan("start-null", { start: null }), problem: /startTimeUnixNano is missing/ },
    { span: badSpan("start-1.5", { start: "1.5" }), problem: /startTimeUnixNano "1.5"/ },
    { span: badSpan("start-minus-1", { start: -1 }), problem: /startTimeUnixNano -1/ },
    { span: badSpan("start-1.5-number", { start: 1.5 }), problem: /startTimeUnixNano 1.5/ },
    { span: badSpan("end-abc", { end: "abc" }), problem: /endTimeUnixNano "abc"/ },
    {
      span: badSpan("anyvalue-5000-deep", { attributes: [{ key: "deep", value: rawJson('{"arrayValue":{"values":['.repeat(5000) + '{"intValue":"1"}' + "]}}".repeat(5000)) }] }),
      problem: /'deep'.*deeper than 64/,
    },
  ];
}

for (const enc of ["json", "protobuf"] as const) {
  for (const decoder of ["main thread", "worker"] as const) {
    test(`${enc}, ${decoder}: each bad span is rejected on its own, the 20 good traces of the request are stored`, async () => {
      const pad = decoder === "worker" ? 4096 : 0;
      for (const { span, problem } of badSpans(enc)) {
        const exp = await createTestExperiment("otlp-bad");
        const good = Array.from({ length: 20 }, () => goodSpan(pad));
        const r = await send(exp, enc, [...good.slice(0, 10), span, ...good.slice(10)]);
        if (decoder === "worker") assert.ok(r.size >= WORKER_MIN_BODY_BYTES, "body big enough for the worker");
        else assert.ok(r.size < WORKER_MIN_BODY_BYTES || span.name.includes("5000"), "body small enough for the main thread");
        assert.equal(r.status, 200, `${span.name}: ${r.message}`);
        assert.equal(r.rejected, 1, `${span.name}: exactly the bad span is rejected (${r.message})`);
        assert.match(r.message, problem, span.name);
        const stored = await storedTraceIds(exp);
        assert.equal(stored.size, 20, `${span.name}: the 20 good traces are stored`);
        for (const g of good) assert.ok(stored.has(`tr-${g.traceId}`));
        assert.ok(!stored.has(`tr-${span.traceId}`), `${span.name}: the bad span's trace is not stored`);
      }
    });
  }
}

test("an end time before the start is representable: stored as sent, not rejected", async () => {
  const exp = await createTestExperiment("otlp-bad");
  const s = badSpan("backwards", { start: String(NOW), end: String(NOW - 5n) });
  const r = await send(exp, "json", [s]);
  assert.equal(r.rejected, 0, r.message);
  const { rows } = await getPool().query("SELECT start_time_ns, end_time_ns FROM spans WHERE trace_id = $1", [`tr-${s.traceId}`]);
  assert.equal(rows[0].end_time_ns, String(NOW - 5n));
});

test(`values nested exactly ${MAX_VALUE_DEPTH} deep are accepted and read back through traces/get and the UI trace view`, async () => {
  for (const enc of ["json", "protobuf"] as const) {
    const exp = await createTestExperiment("otlp-deep");
    const s: TestSpan = {
      ...goodSpan(0),
      name: "deepest",
      attributes: [
        { key: "mlflow.spanInputs", value: { stringValue: deepJsonText(MAX_VALUE_DEPTH) } },
        { key: "mlflow.spanOutputs", value: { stringValue: JSON.stringify(JSON.parse(deepJsonText(MAX_VALUE_DEPTH - 1)).map(() => ({ a: JSON.parse(deepJsonText(MAX_VALUE_DEPTH - 2)) }))) } },
        { key: "typed.array", value: deepArrayValue(MAX_VALUE_DEPTH) },
        { key: "typed.kvlist", value: deepKvlistValue(MAX_VALUE_DEPTH) },
      ],
      events: [{ name: "e", timeUnixNano: String(NOW), attributes: [{ key: "deep", value: deepKvlistValue(MAX_VALUE_DEPTH) }] }],
    };
    const r = await send(exp, enc, [s]);
    assert.equal(r.status, 200);
    assert.equal(r.rejected, 0, r.message);
    const traceId = `tr-${s.traceId}`;
    const get = await http("GET", `/api/3.0/mlflow/traces/get?trace_id=${traceId}`);
    assert.equal(get.status, 200, get.text.slice(0, 300));
    const span = (get.json as any).trace.spans[0];
    assert.equal(span.name, "deepest");
    const header = await http("GET", `/api/ui/traces/${traceId}`);
    assert.equal(header.status, 200, header.text.slice(0, 300));
    const skeleton = await http("GET", `/api/ui/traces/${traceId}/spans`);
    assert.equal(skeleton.status, 200, skeleton.text.slice(0, 300));
    const detail = await http("GET", `/api/ui/traces/${traceId}/spans/${s.spanId}`);
    assert.equal(detail.status, 200, detail.text.slice(0, 300));
    assert.ok(detail.text.includes("leaf"), "the deepest value is in the span detail");
    const { rows } = await getPool().query("SELECT inputs FROM spans WHERE trace_id = $1", [traceId]);
    assert.equal(rows[0].inputs, deepJsonText(MAX_VALUE_DEPTH), `${enc}: inputs stored as sent`);
  }
});
