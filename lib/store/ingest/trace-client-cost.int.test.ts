// traces.client_cost: a trace's cost follows its span costs on every recount unless the client sent the trace
// cost itself (mlflow.trace.cost in StartTraceV3's metadata). Before, a cost flowtrace had derived into the
// metadata of a StartTraceV3-finalized trace counted as the client's, and later spans no longer changed it.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { closeDb } from "../../db";
import { createTestExperiment, hex, makeSpan, traceRow } from "../../testing/ingest";
import { ingestSpans, upsertTraceInfo } from ".";

after(() => closeDb());

const close = (a: number | null | undefined, b: number, what: string) => assert.ok(a != null && Math.abs(a - b) <= 1e-12 + b * 1e-9, `${what}: ${a} vs ${b}`);
const llm = (traceId: string, spanId: string, cost: number) =>
  makeSpan({ traceId, spanId, name: "llm-" + spanId, parentSpanId: "0000000000000001", attributes: { "mlflow.llm.cost": { input_cost: 0, output_cost: cost, total_cost: cost } } });

async function startedTrace(exp: string, metadata: Record<string, string>) {
  const traceId = "tr-" + hex(16);
  await upsertTraceInfo({ traceId, experimentId: exp, requestTimeMs: Date.now(), executionDurationMs: 5, state: "OK", metadata, tags: {} });
  return traceId;
}

test("a finalized trace without a client cost: spans written in two writes both count", async () => {
  const exp = await createTestExperiment("client-cost");
  const traceId = await startedTrace(exp, {});
  await ingestSpans(exp, [makeSpan({ traceId, name: "root", spanId: "0000000000000001" }), llm(traceId, "0000000000000002", 0.5)]);
  close((await traceRow(traceId))?.cost, 0.5, "first write");
  await ingestSpans(exp, [llm(traceId, "0000000000000003", 0.25)]);
  const row = await traceRow(traceId);
  close(row?.cost, 0.75, "second write recounts");
  assert.equal(row?.client_cost, false);
  close(JSON.parse(row?.trace_metadata["mlflow.trace.cost"]).total_cost, 0.75, "metadata follows");
});

test("a client's trace cost stays through later writes and a repeated StartTraceV3", async () => {
  const exp = await createTestExperiment("client-cost");
  const cost = JSON.stringify({ input_cost: 1, output_cost: 1, total_cost: 2 });
  const traceId = await startedTrace(exp, { "mlflow.trace.cost": cost });
  await ingestSpans(exp, [makeSpan({ traceId, name: "root", spanId: "0000000000000001" }), llm(traceId, "0000000000000002", 0.5)]);
  await ingestSpans(exp, [llm(traceId, "0000000000000003", 0.25)]);
  await upsertTraceInfo({ traceId, experimentId: exp, requestTimeMs: Date.now(), executionDurationMs: 5, state: "OK", metadata: {}, tags: {} });
  await ingestSpans(exp, [llm(traceId, "0000000000000004", 0.25)]);
  const row = await traceRow(traceId);
  close(row?.cost, 2, "client cost");
  assert.equal(row?.client_cost, true);
  assert.equal(row?.trace_metadata["mlflow.trace.cost"], cost);
});
