// traces.model: the LLM model of the earliest-starting span that names one, for a trace new to the database
// and kept current as spans of a stored trace arrive in later writes (one round trip, COPY, after StartTraceV3).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { closeDb, getPool } from "../../db";
import type { NormalizedSpan } from "../../tracing/model";
import { createTestExperiment, hex, makeSpan, traceRow } from "../../testing/ingest";
import { ingestSpans, upsertTraceInfo } from ".";
import { countTracesForUi, listTracesForUi } from "../trace-view";

after(() => closeDb());

const T0 = 1_700_000_000_000_000_000n;
const at = (ms: number) => T0 + BigInt(ms) * 1_000_000n;

function span(traceId: string, startMs: number, attributes: Record<string, unknown> = {}, parentSpanId: string | null = "0000000000000001"): NormalizedSpan {
  return makeSpan({ traceId, name: `s${startMs}`, parentSpanId, startTimeNs: at(startMs), endTimeNs: at(startMs + 5), attributes });
}

const modelOf = async (traceId: string) => (await traceRow(traceId))?.model ?? null;

test("a new trace takes the model of its earliest-starting span that names one, whatever convention named it", async () => {
  const exp = await createTestExperiment();
  const traceId = "tr-" + hex(16);
  await ingestSpans(exp, [
    span(traceId, 0, {}, null),
    span(traceId, 30, { "gen_ai.response.model": "late-model" }),
    span(traceId, 10, { "gen_ai.request.model": "gpt-x" }),
    span(traceId, 20, { "mlflow.llm.model": "other" }),
  ]);
  assert.equal(await modelOf(traceId), "gpt-x");

  const none = "tr-" + hex(16);
  await ingestSpans(exp, [span(none, 0, {}, null)]);
  assert.equal(await modelOf(none), null);
});

test("spans of a stored trace arriving in later writes: the earliest start wins, whichever write brought it", async () => {
  const exp = await createTestExperiment();
  const traceId = "tr-" + hex(16);
  await ingestSpans(exp, [span(traceId, 50, { "mlflow.llm.model": "second" })]);
  assert.equal(await modelOf(traceId), "second");
  await ingestSpans(exp, [span(traceId, 0, {}, null)]);
  assert.equal(await modelOf(traceId), "second", "a span without a model changes nothing");
  await ingestSpans(exp, [span(traceId, 20, { "gen_ai.request.model": "first" })]);
  assert.equal(await modelOf(traceId), "first");
  await ingestSpans(exp, [span(traceId, 90, { "gen_ai.request.model": "third" })]);
  assert.equal(await modelOf(traceId), "first");
  // a re-sent span that no longer names a model gives way to the next one
  const resent = span(traceId, 20);
  const { rows } = await getPool().query(`SELECT span_id FROM spans WHERE trace_id = $1 AND start_time_ns = $2`, [traceId, at(20).toString()]);
  resent.spanId = rows[0].span_id;
  await ingestSpans(exp, [resent]);
  assert.equal(await modelOf(traceId), "second");
});

test("big writes (COPY) and writes after StartTraceV3 derive the model the same way", async () => {
  const exp = await createTestExperiment();
  const big = "tr-" + hex(16);
  const spans = Array.from({ length: 300 }, (_, i) => span(big, 300 - i, i % 7 === 0 ? { "gen_ai.request.model": `m${300 - i}` } : {}));
  await ingestSpans(exp, spans);
  assert.equal(await modelOf(big), "m6", "the earliest of the spans naming a model (start 6 ms)");
  await ingestSpans(exp, Array.from({ length: 300 }, (_, i) => span(big, 1000 + i, { "gen_ai.request.model": "later" })));
  assert.equal(await modelOf(big), "m6");
  await ingestSpans(exp, Array.from({ length: 300 }, (_, i) => span(big, -1 - i, i === 299 ? { "gen_ai.request.model": "earliest" } : {})));
  assert.equal(await modelOf(big), "earliest");

  const started = "tr-" + hex(16);
  await upsertTraceInfo({ traceId: started, experimentId: exp, requestTimeMs: 1, state: "IN_PROGRESS", metadata: {}, tags: {} });
  assert.equal(await modelOf(started), null);
  await ingestSpans(exp, [span(started, 0, {}, null), span(started, 5, { "gen_ai.request.model": "after-start" })]);
  assert.equal(await modelOf(started), "after-start");
});

test("the model is a traces-table column from its one registry entry: listed, filtered, sorted", async () => {
  const exp = await createTestExperiment();
  const ids = ["tr-" + hex(16), "tr-" + hex(16), "tr-" + hex(16)];
  await ingestSpans(exp, [
    span(ids[0], 0, { "gen_ai.request.model": "gpt-b" }, null),
    span(ids[1], 0, { "mlflow.llm.model": "gpt-a" }, null),
    span(ids[2], 0, {}, null),
  ]);
  const rows = (await listTracesForUi({ experimentId: String(exp), order: "model ASC" })).rows as unknown as { traceId: string; model: string | null }[];
  assert.deepEqual(rows.map((r) => [r.traceId, r.model]), [[ids[1], "gpt-a"], [ids[0], "gpt-b"], [ids[2], null]], "NULL sorts last");
  assert.equal(await countTracesForUi({ experimentId: String(exp), filter: "trace.model = 'gpt-a'" }), 1);
  assert.equal(await countTracesForUi({ experimentId: String(exp), filter: "trace.model LIKE 'gpt-%'" }), 2);
  assert.equal(await countTracesForUi({ experimentId: String(exp), filter: "trace.model IS NULL" }), 1);
});
