import assert from "node:assert/strict";
import { after, test } from "node:test";
import zlib from "node:zlib";
import { closeDb, getPool } from "../db";
import { createTestExperiment } from "../testing/ingest";
import { baseUrl, http } from "../testing/http";
import { randomBytes } from "node:crypto";
import { decodeExportResponse, encodeExportRequest } from "./otlp";
import { bodyOf, FIXTURE_SPAN_TYPES, otlpLines, type WireLine } from "../testing/otlp-fixtures";

after(() => closeDb());

const PB = "application/x-protobuf";

async function post(body: Uint8Array | string, headers: Record<string, string>, path = "/v1/traces") {
  return http("POST", path, typeof body === "string" ? body : Buffer.from(body), headers);
}

/** Sends the body as a chunked stream without Content-Length, as the OTel JS exporter does. */
async function postChunked(body: Uint8Array, headers: Record<string, string>) {
  const chunks = [body.subarray(0, Math.floor(body.length / 2)), body.subarray(Math.floor(body.length / 2))];
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = chunks.shift();
      if (next) c.enqueue(next);
      else c.close();
    },
  });
  const res = await fetch(baseUrl() + "/v1/traces", { method: "POST", body: stream, headers, duplex: "half" } as RequestInit);
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

/** The request of a recorded line with new random trace ids (tests share one database), as OTLP/JSON and protobuf. */
function freshCopy(line: WireLine): { json: string; protobuf: Uint8Array } {
  const doc = (line.body_otlp ? structuredClone(line.body_otlp) : JSON.parse(line.body_text!)) as any;
  const map = new Map<string, string>();
  for (const rs of doc.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const sp of ss.spans) {
        if (!map.has(sp.traceId)) map.set(sp.traceId, randomBytes(16).toString("hex"));
        sp.traceId = map.get(sp.traceId);
      }
    }
  }
  const pb = structuredClone(doc);
  const bytes = (hex: string | undefined) => (hex ? Buffer.from(hex, "hex") : undefined);
  for (const rs of pb.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const sp of ss.spans) {
        sp.traceId = bytes(sp.traceId);
        sp.spanId = bytes(sp.spanId);
        sp.parentSpanId = bytes(sp.parentSpanId);
      }
    }
  }
  return { json: JSON.stringify(doc), protobuf: encodeExportRequest(pb) };
}

async function tracesOf(exp: string) {
  const { rows } = await getPool().query(`SELECT * FROM traces WHERE experiment_id = $1 ORDER BY request_time, trace_id`, [exp]);
  return rows;
}

async function spansOf(exp: string) {
  const { rows } = await getPool().query(
    `SELECT s.* FROM spans s JOIN traces t USING (trace_id) WHERE t.experiment_id = $1 ORDER BY t.request_time, s.trace_id, s.start_time_ns, s.name`,
    [exp],
  );
  return rows;
}

/** What the b/c scenarios must produce, independent of ids and times. */
function assertScenarioB(traces: Record<string, any>[], spans: Record<string, any>[]) {
  assert.equal(traces.length, 3);
  assert.deepEqual(traces.map((t) => t.span_count), [6, 7, 6]);
  for (const t of traces) {
    assert.equal(t.state, "OK");
    assert.equal(t.name, "agent_turn");
    assert.equal(t.session_id, "session-fixture-0001");
    assert.equal(t.user_id, "user-fixture-0001");
    assert.equal(t.tags["mlflow.trace.spansLocation"], "TRACKING_STORE");
    assert.ok(Number(t.total_tokens) > 0, "token totals derived");
    assert.ok(t.request_preview, "request preview derived");
    assert.ok(t.response_preview, "response preview derived");
  }
  assert.equal(traces[1].error_count, 1);
  const types = Object.fromEntries(spans.map((s) => [s.name, s.span_type]));
  const { Completions: _llm, ...agentTypes } = FIXTURE_SPAN_TYPES;
  assert.deepEqual(types, agentTypes);
  const calc = spans.find((s) => s.name === "calculator")!;
  assert.deepEqual(JSON.parse(calc.inputs), { a: 6, b: 7 });
  assert.deepEqual(JSON.parse(calc.outputs), { product: 42 });
  const gen = spans.find((s) => s.name === "generate_answer")!;
  const usage = gen.attributes["mlflow.chat.tokenUsage"];
  assert.equal(typeof usage.input_tokens, "number");
  assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
  const failing = spans.find((s) => s.name === "web_search")!;
  assert.equal(failing.status_code, "ERROR");
  assert.equal(failing.events[0].name, "exception");
  assert.match(failing.events[0].time_unix_nano, /^\d{19}$/);
  for (const t of traces) {
    const mine = spans.filter((s) => s.trace_id === t.trace_id);
    const root = mine.find((s) => s.name === "agent_turn")!;
    assert.equal(root.parent_span_id, null);
    assert.equal(t.root_span_id, root.span_id);
    for (const s of mine.filter((x) => x.name !== "agent_turn" && x.name !== "format_output")) assert.equal(s.parent_span_id, root.span_id);
  }
}

test("replays the OTel protobuf exporter (chunked, no Content-Length): 3 traces derived completely", async () => {
  const exp = await createTestExperiment("c1");
  for (const l of otlpLines("c1-otel-otlp-proto.jsonl")) {
    const r = await postChunked(bodyOf(l), { "content-type": l.headers["content-type"], "x-mlflow-experiment-id": exp });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), PB);
    assert.equal(r.body.length, 0, "empty ExportTraceServiceResponse");
  }
  assertScenarioB(await tracesOf(exp), await spansOf(exp));
});

test("replays the OTel JSON exporter: answers {} and stores the same as protobuf", async () => {
  const exp = await createTestExperiment("c2");
  for (const l of otlpLines("c2-otel-otlp-json.jsonl")) {
    const r = await post(bodyOf(l), { "content-type": "application/json", "x-mlflow-experiment-id": exp });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(r.json, {});
  }
  assertScenarioB(await tracesOf(exp), await spansOf(exp));
});

test("replays the MLflow Python client: one span per request, typed values, root last", async () => {
  const exp = await createTestExperiment("p");
  const lines = otlpLines("p-python-client-session.jsonl");
  assert.equal(lines.length, 19);
  let sawInProgress = false;
  for (const l of lines) {
    const r = await post(bodyOf(l), { "content-type": PB, "x-mlflow-experiment-id": exp });
    assert.equal(r.status, 200, r.text);
    const t = await tracesOf(exp);
    if (t.some((x) => x.state === "IN_PROGRESS")) sawInProgress = true;
  }
  assert.ok(sawInProgress, "a trace is visible as IN_PROGRESS before its root arrives");
  const traces = await tracesOf(exp);
  const spans = await spansOf(exp);
  assert.equal(traces.length, 3);
  assert.deepEqual(traces.map((t) => t.span_count), [6, 7, 6]);
  for (const t of traces) {
    assert.equal(t.state, "OK");
    assert.equal(t.name, "agent_turn");
  }
  const calc = spans.find((s) => s.name === "calculator")!;
  assert.deepEqual(JSON.parse(calc.inputs), { a: 6, b: 7 }, "kvlist inputs stored as the JSON object");
  const gen = spans.find((s) => s.name === "generate_answer")!;
  assert.equal(gen.span_type, "CHAT_MODEL");
  assert.deepEqual(Object.keys(gen.attributes["mlflow.chat.tokenUsage"]).sort(), ["input_tokens", "output_tokens", "total_tokens"]);
  assert.ok(Number(traces[0].total_tokens) > 0);
});

test("replays the MLflow TypeScript SDK's /v1/traces calls (a, b)", async () => {
  const exp = await createTestExperiment("ab");
  for (const f of ["a-quickstart-openai.jsonl", "b-nested-spans-session.jsonl"]) {
    for (const l of otlpLines(f)) {
      const r = await post(bodyOf(l), { "content-type": PB, "x-mlflow-experiment-id": exp });
      assert.equal(r.status, 200, r.text);
    }
  }
  const traces = await tracesOf(exp);
  assert.equal(traces.length, 4);
  const quick = traces.find((t) => t.span_count === 1)!;
  assert.equal(quick.name, "Completions");
  const [llm] = (await spansOf(exp)).filter((s) => s.trace_id === quick.trace_id);
  assert.equal(llm.span_type, "LLM");
  assert.equal(llm.attributes["mlflow.spanLogLevel"], 20, "JSON text values decoded");
  assert.equal(llm.attributes["mlflow.message.format"], "openai");
});

test("JSON and protobuf bodies of the same spans store identical rows", async () => {
  const copy = freshCopy(otlpLines("c1-otel-otlp-proto.jsonl")[0]);
  const rows: unknown[] = [];
  for (const mode of ["protobuf", "json"] as const) {
    const exp = await createTestExperiment("parity");
    const r =
      mode === "protobuf"
        ? await post(copy.protobuf, { "content-type": PB, "x-mlflow-experiment-id": exp })
        : await post(copy.json, { "content-type": "application/json", "x-mlflow-experiment-id": exp });
    assert.equal(r.status, 200, r.text);
    const traces = (await tracesOf(exp)).map(({ experiment_id, updated_at, tags, ...t }) => ({ ...t, tags: { ...tags, "mlflow.artifactLocation": undefined } }));
    const spans = (await spansOf(exp)).map(({ experiment_id, ...s }) => s);
    rows.push({ traces, spans });
    // the same trace ids go in again: remove them so the second encoding starts clean
    await getPool().query(`DELETE FROM spans WHERE experiment_id = $1`, [exp]);
    await getPool().query(`DELETE FROM traces WHERE experiment_id = $1`, [exp]);
  }
  assert.equal((rows[0] as any).spans.length, 6);
  assert.deepEqual(rows[1], rows[0]);
});

test("gzip, zlib deflate and raw deflate bodies are accepted", async () => {
  const line = otlpLines("c1-otel-otlp-proto.jsonl")[0];
  for (const [enc, compress] of [
    ["gzip", zlib.gzipSync],
    ["deflate", zlib.deflateSync],
    ["deflate", zlib.deflateRawSync],
  ] as const) {
    const body = compress(freshCopy(line).protobuf);
    const exp = await createTestExperiment("gz");
    const r = await post(body, { "content-type": PB, "content-encoding": enc, "x-mlflow-experiment-id": exp });
    assert.equal(r.status, 200, `${enc}: ${r.text}`);
    assert.equal((await tracesOf(exp)).length, 1, enc);
    assert.equal((await spansOf(exp)).length, 6, enc);
  }
});

async function assertRejected(exp: string, r: { status: number; json: any; text: string }, status: number, message: RegExp) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.json?.error_code, `JSON error body: ${r.text}`);
  assert.match(r.json.message, message);
  assert.doesNotMatch(r.text, /REST OTLP span logging is not supported/);
  assert.equal((await tracesOf(exp)).length, 0, "nothing stored");
}

test("bad input: clear status and message, nothing stored", async () => {
  const exp = await createTestExperiment("bad");
  const h = { "content-type": PB, "x-mlflow-experiment-id": exp };
  const good = bodyOf(otlpLines("c1-otel-otlp-proto.jsonl")[0]);

  await assertRejected(exp, await post(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]), h), 400, /Invalid OTLP protobuf body/);
  await assertRejected(exp, await post(good.subarray(0, Math.floor(good.length / 2)), h), 400, /Invalid OTLP protobuf body/);
  await assertRejected(exp, await post(Buffer.from("hello, this is not protobuf at all"), h), 400, /Invalid OTLP protobuf body/);
  await assertRejected(exp, await post("{not json", { ...h, "content-type": "application/json" }), 400, /Invalid OTLP\/JSON body/);
  await assertRejected(exp, await post(good, { ...h, "content-type": "text/plain" }), 415, /Unsupported Content-Type 'text\/plain'.*application\/x-protobuf/);
  await assertRejected(exp, await post(good, { ...h, "content-encoding": "br" }), 415, /Unsupported Content-Encoding 'br'/);
  await assertRejected(exp, await post(Buffer.from("not gzip"), { ...h, "content-encoding": "gzip" }), 400, /does not decompress/);

  const oversize = Buffer.alloc(64 * 1024 * 1024 + 1);
  await assertRejected(exp, await post(oversize, h), 413, /too large.*67108864 bytes/);

  // 80 MiB of zeros gzip to ~80 KB: inflation must stop at the cap
  const bomb = zlib.gzipSync(Buffer.alloc(80 * 1024 * 1024));
  assert.ok(bomb.length < 200_000);
  await assertRejected(exp, await post(bomb, { ...h, "content-encoding": "gzip" }), 413, /decompressed body exceeds/);
});

test("experiment selection: header, then ?experiment_id=, then the mlflow.experimentId attribute, else 400", async () => {
  const body = freshCopy(otlpLines("c2-otel-otlp-json.jsonl")[0]).json;
  const expQ = await createTestExperiment("query");
  const r1 = await http("POST", `/v1/traces?experiment_id=${expQ}`, body, { "content-type": "application/json" });
  assert.equal(r1.status, 200, r1.text);
  assert.equal((await tracesOf(expQ)).length, 1);

  const r2 = await post(body, { "content-type": "application/json" });
  assert.equal(r2.status, 400);
  assert.match(r2.json.message, /x-mlflow-experiment-id/);
  assert.match(r2.json.message, /OTEL_EXPORTER_OTLP_TRACES_HEADERS/);

  const r3 = await post(body, { "content-type": "application/json", "x-mlflow-experiment-id": "999999999" });
  assert.equal(r3.status, 404);
  assert.equal(r3.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  assert.match(r3.json.message, /999999999/);

  const expA = await createTestExperiment("attr");
  const doc = JSON.parse(body);
  const fresh = (s: any, i: number) => ({ ...s, traceId: "ab".repeat(14) + expA.padStart(4, "0"), spanId: (i + 1).toString(16).padStart(16, "0") });
  doc.resourceSpans[0].scopeSpans[0].spans = doc.resourceSpans[0].scopeSpans[0].spans.map((s: any, i: number) => ({
    ...fresh(s, i),
    parentSpanId: s.parentSpanId ? "1".padStart(16, "0") : undefined,
    attributes: [...s.attributes, { key: "mlflow.experimentId", value: { stringValue: expA } }],
  }));
  const r4 = await post(JSON.stringify(doc), { "content-type": "application/json" });
  assert.equal(r4.status, 200, r4.text);
  assert.equal((await tracesOf(expA)).length, 1);
});

test("spans with bad ids are reported in partial_success; the rest are stored", async () => {
  const exp = await createTestExperiment("partial");
  const doc = JSON.parse(freshCopy(otlpLines("c2-otel-otlp-json.jsonl")[0]).json);
  doc.resourceSpans[0].scopeSpans[0].spans[0].spanId = "xyz";
  const r = await post(JSON.stringify(doc), { "content-type": "application/json", "x-mlflow-experiment-id": exp });
  assert.equal(r.status, 200);
  assert.equal(r.json.partialSuccess.rejectedSpans, "1");
  assert.match(r.json.partialSuccess.errorMessage, /spanId/);
  assert.equal((await spansOf(exp)).length, 5);

  const exp2 = await createTestExperiment("partial-pb");
  const pbDoc = JSON.parse(freshCopy(otlpLines("c1-otel-otlp-proto.jsonl")[1]).json);
  const spansJson = pbDoc.resourceSpans[0].scopeSpans[0].spans;
  const toBytes = (hex: string) => Buffer.from(hex, "hex");
  pbDoc.resourceSpans[0].scopeSpans[0].spans = spansJson.map((s: any, i: number) => ({
    ...s,
    traceId: toBytes(s.traceId),
    spanId: i === 0 ? Buffer.from([1, 2, 3]) : toBytes(s.spanId),
    parentSpanId: s.parentSpanId ? toBytes(s.parentSpanId) : undefined,
  }));
  const res = await fetch(baseUrl() + "/v1/traces", { method: "POST", body: Buffer.from(encodeExportRequest(pbDoc)), headers: { "content-type": PB, "x-mlflow-experiment-id": exp2 } });
  assert.equal(res.status, 200);
  const decoded = decodeExportResponse(new Uint8Array(await res.arrayBuffer()));
  assert.equal(decoded.rejectedSpans, 1);
  assert.match(decoded.errorMessage, /span_id must be 8 bytes/);
  assert.equal((await spansOf(exp2)).length, spansJson.length - 1);
});

test("/v1/metrics and /v1/logs answer 200 with an empty response in the request's encoding", async () => {
  for (const p of ["/v1/metrics", "/v1/logs"]) {
    const a = await post(Buffer.from([0x0a, 0x00]), { "content-type": PB }, p);
    assert.equal(a.status, 200);
    assert.equal(a.headers.get("content-type"), PB);
    assert.equal(a.text, "");
    const b = await post("{}", { "content-type": "application/json" }, p);
    assert.equal(b.status, 200);
    assert.deepEqual(b.json, {});
  }
});

test("the Next route handler (used when the fast path in serve.ts is bypassed) answers like the fast path", async () => {
  const { POST } = await import("../../app/v1/traces/route");
  const exp = await createTestExperiment("next-route");
  const copy = freshCopy(otlpLines("c1-otel-otlp-proto.jsonl")[2]);
  const res = await POST(new Request("http://localhost/v1/traces", { method: "POST", body: Buffer.from(copy.protobuf), headers: { "content-type": PB, "x-mlflow-experiment-id": exp } }));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), PB);
  assert.equal((await res.arrayBuffer()).byteLength, 0);
  assert.equal((await spansOf(exp)).length, 6);
  const bad = await POST(new Request("http://localhost/v1/traces", { method: "POST", body: "x", headers: { "content-type": "text/plain", "x-mlflow-experiment-id": exp } }));
  assert.equal(bad.status, 415);
  assert.match((await bad.json()).message, /Unsupported Content-Type/);
});

// ------------------------------------------------------------------ big bodies: decoded in a worker thread

/** `traces` traces of `perTrace` spans (~1 KB each), protobuf, with the given trace ids. */
function bigRequest(traceIds: Buffer[], perTrace: number): { spans: any[]; encode: (spans: any[]) => Uint8Array } {
  const spans: any[] = [];
  traceIds.forEach((traceId, t) => {
    const rootId = Buffer.alloc(8, t + 1);
    for (let i = 0; i < perTrace; i++) {
      const start = 1_795_600_000_000_000_000n + BigInt(t * 1_000_000_000 + i * 1_000_000);
      spans.push({
        traceId,
        spanId: i === 0 ? rootId : Buffer.from([t + 1, i, 0, 0, 0, 0, 0, 7]),
        parentSpanId: i === 0 ? undefined : rootId,
        name: i === 0 ? "agent" : `step_${i}`,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 500_000n).toString(),
        attributes: [
          { key: "mlflow.spanType", value: { stringValue: i === 0 ? "AGENT" : "CHAT_MODEL" } },
          { key: "mlflow.spanInputs", value: { stringValue: JSON.stringify({ messages: [{ role: "user", content: `question ${t}.${i} `.repeat(40) }] }) } },
          { key: "mlflow.spanOutputs", value: { stringValue: JSON.stringify({ choices: [{ message: { role: "assistant", content: `answer ${t}.${i} `.repeat(20) } }] }) } },
          { key: "gen_ai.usage.input_tokens", value: { intValue: 10 + i } },
          { key: "gen_ai.usage.output_tokens", value: { intValue: 3 } },
          { key: "session.id", value: { stringValue: `big-session-${t}` } },
        ],
        status: { code: i === perTrace - 1 ? 2 : 1, message: i === perTrace - 1 ? "failed" : "" },
      });
    }
  });
  const encode = (part: any[]) => encodeExportRequest({ resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "big" } }] }, scopeSpans: [{ spans: part }] }] });
  return { spans, encode };
}

/** Rows of an experiment with ids replaced by their order of appearance, so two experiments compare. */
async function normalizedRows(exp: string) {
  const ids = new Map<string, string>();
  const idOf = (t: string) => (ids.has(t) ? ids.get(t)! : (ids.set(t, `t${ids.size}`), ids.get(t)!));
  const traces = (await tracesOf(exp)).map(({ experiment_id, updated_at, trace_id, tags, ...t }) => ({ ...t, id: idOf(trace_id), tags: { ...tags, "mlflow.artifactLocation": undefined } }));
  const spans = (await spansOf(exp)).map(({ experiment_id, trace_id, attributes, ...s }) => ({ ...s, id: idOf(trace_id), attributes: { ...attributes, "mlflow.traceRequestId": undefined } }));
  return { traces, spans };
}

test("a big body (decoded in a worker thread) stores exactly what the same spans in small requests store", async () => {
  const [a, b] = [await createTestExperiment("big-worker"), await createTestExperiment("big-main")];
  const big = bigRequest(Array.from({ length: 6 }, () => randomBytes(16)), 20);
  const body = big.encode(big.spans);
  assert.ok(body.length > 100 * 1024, `the body is big enough for the worker (${body.length} bytes)`);
  const r = await post(body, { "content-type": PB, "x-mlflow-experiment-id": a });
  assert.equal(r.status, 200, r.text);
  // the same spans under other trace ids, 20 spans per request: decoded on the main thread
  const small = bigRequest(Array.from({ length: 6 }, () => randomBytes(16)), 20);
  for (let i = 0; i < small.spans.length; i += 20) {
    const part = small.encode(small.spans.slice(i, i + 20));
    assert.ok(part.length < 64 * 1024);
    const rs = await post(part, { "content-type": PB, "x-mlflow-experiment-id": b });
    assert.equal(rs.status, 200, rs.text);
  }
  const [ra, rb] = [await normalizedRows(a), await normalizedRows(b)];
  assert.equal(ra.spans.length, 120);
  assert.equal(ra.traces.length, 6);
  assert.equal(ra.traces[0].span_count, 20);
  assert.equal(ra.traces[0].error_count, 1);
  assert.equal(ra.traces[0].session_id, "big-session-0");
  assert.equal(Number(ra.traces[0].input_tokens), (10 + 29) * 10, "sum of 10..29");
  assert.deepEqual(ra, rb);
  // sent again: replaced, not duplicated
  const again = await post(body, { "content-type": PB, "x-mlflow-experiment-id": a });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual((await normalizedRows(a)).spans.length, 120);
});

test("big bodies: bad input gets the same clear errors from the worker, and nothing is stored", async () => {
  const exp = await createTestExperiment("big-bad");
  const garbage = randomBytes(200 * 1024);
  garbage[0] = 0xff; // not a valid protobuf field tag
  const r = await post(garbage, { "content-type": PB, "x-mlflow-experiment-id": exp });
  assert.equal(r.status, 400, r.text);
  assert.match(r.text, /Invalid OTLP protobuf body/);
  const big = bigRequest([randomBytes(16)], 120);
  const unknown = await post(big.encode(big.spans), { "content-type": PB, "x-mlflow-experiment-id": "987654329" });
  assert.equal(unknown.status, 404, unknown.text);
  assert.match(unknown.text, /987654329/);
  const gz = zlib.gzipSync(Buffer.concat([Buffer.from(big.encode(big.spans)), Buffer.from([0x0a, 0xff])]));
  const truncated = await post(gz, { "content-type": PB, "content-encoding": "gzip", "x-mlflow-experiment-id": exp });
  assert.equal(truncated.status, 400, truncated.text);
  assert.equal((await spansOf(exp)).length, 0);
});
