// Trace previews by the one preview rule (lib/chat/preview.ts): the root's own inputs/outputs win; a root
// without them (the OpenTelemetry GenAI shape, messages on the LLM child) takes the model call's text, and
// that text only fills an empty preview, whichever write brought the root or the child (issue #18).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { closeDb } from "../../db";
import type { NormalizedSpan } from "../../tracing/model";
import { createTestExperiment, hex, makeSpan, traceRow } from "../../testing/ingest";
import { ingestSpans } from ".";

after(() => closeDb());

const T0 = 1_700_000_000_000_000_000n;
const at = (ms: number) => T0 + BigInt(ms) * 1_000_000n;
const ROOT = "0000000000000001";

function root(traceId: string, attributes: Record<string, unknown> = {}): NormalizedSpan {
  return makeSpan({ traceId, spanId: ROOT, name: "agent", parentSpanId: null, startTimeNs: at(0), endTimeNs: at(100), attributes });
}
function llm(traceId: string, startMs: number, user: string, answer: string): NormalizedSpan {
  return makeSpan({
    traceId, spanId: hex(8), name: "chat gpt-4o-mini", parentSpanId: ROOT, startTimeNs: at(startMs), endTimeNs: at(startMs + 10),
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.input.messages": JSON.stringify([{ role: "system", parts: [{ type: "text", content: "Be brief." }] }, { role: "user", parts: [{ type: "text", content: user }] }]),
      "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: answer }], finish_reason: "stop" }]),
    },
  });
}
const previews = async (traceId: string) => {
  const r = await traceRow(traceId);
  return [r?.request_preview ?? null, r?.response_preview ?? null];
};

test("a root without inputs: the previews are the LLM child's user text and answer, not raw JSON", async () => {
  const exp = await createTestExperiment();
  const together = "tr-" + hex(16);
  await ingestSpans(exp, [root(together), llm(together, 10, "What is the capital of France?", "Paris.")]);
  assert.deepEqual(await previews(together), ["What is the capital of France?", "Paris."]);

  // children first, root last (BatchSpanProcessor, the MLflow Python client): the child's text stays
  const childFirst = "tr-" + hex(16);
  await ingestSpans(exp, [llm(childFirst, 10, "first question", "first answer")]);
  assert.deepEqual(await previews(childFirst), ["first question", "first answer"]);
  await ingestSpans(exp, [root(childFirst)]);
  assert.deepEqual(await previews(childFirst), ["first question", "first answer"]);
});

test("the root's own inputs win over a model call's, in either order of arrival", async () => {
  const exp = await createTestExperiment();
  const rootLater = "tr-" + hex(16);
  await ingestSpans(exp, [llm(rootLater, 10, "model text", "model answer")]);
  await ingestSpans(exp, [root(rootLater, { "mlflow.spanInputs": JSON.stringify({ question: "the root's question" }), "mlflow.spanOutputs": JSON.stringify("the root's answer") })]);
  const [req, resp] = await previews(rootLater);
  assert.match(String(req), /the root's question/);
  assert.match(String(resp), /the root's answer/);

  const childLater = "tr-" + hex(16);
  await ingestSpans(exp, [root(childLater, { "mlflow.spanInputs": JSON.stringify({ question: "asked at the root" }), "mlflow.spanOutputs": JSON.stringify("answered at the root") })]);
  await ingestSpans(exp, [llm(childLater, 10, "a late model call", "its answer")]);
  const [req2, resp2] = await previews(childLater);
  assert.match(String(req2), /asked at the root/, "a late model call does not replace the root's preview");
  assert.match(String(resp2), /answered at the root/);
});
