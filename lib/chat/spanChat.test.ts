import assert from "node:assert/strict";
import { test } from "node:test";
import { deriveSpan } from "../tracing/derive";
import type { NormalizedSpan } from "../tracing/model";
import { spanChat, type SpanChatSource } from "./spanChat";

// A span as the span detail view receives it: MLflow keys derived at ingest, inputs/outputs as JSON text.
function stored(s: NormalizedSpan): SpanChatSource {
  const { "mlflow.spanInputs": inputs, "mlflow.spanOutputs": outputs, ...attributes } = deriveSpan(s).attributes;
  return {
    spanType: (attributes["mlflow.spanType"] as string) ?? null,
    inputsText: inputs === undefined ? null : JSON.stringify(inputs),
    outputsText: outputs === undefined ? null : JSON.stringify(outputs),
    inputs,
    outputs,
    attributes,
    events: s.events.map((e) => ({ name: e.name, time_unix_nano: String(e.timeNs), attributes: e.attributes })),
  };
}

const base = { traceId: "tr-" + "0".repeat(31) + "1", spanId: "0".repeat(15) + "1", parentSpanId: null, name: "chat gpt-4o", startTimeNs: 1n, endTimeNs: 2n };

test("issue #18: an error span whose user message came as a gen_ai.user.message event gets a Chat tab", () => {
  const chat = spanChat(
    stored({
      ...base,
      status: { code: "ERROR", message: "rate limited" },
      attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o" },
      events: [
        { name: "gen_ai.user.message", timeNs: 1n, attributes: { "gen_ai.system": "openai", content: "Summarize the report" } },
        { name: "exception", timeNs: 2n, attributes: { "exception.type": "RateLimitError", "exception.message": "rate limited" } },
      ],
    }),
  );
  assert.deepEqual(chat, [{ role: "user", content: "Summarize the report" }]);
});

test("a lone plain value is not a conversation; tools and retrievers need role-tagged messages", () => {
  const plain = (spanType: string | null, inputs: unknown, outputs?: unknown): SpanChatSource => ({
    spanType,
    inputsText: JSON.stringify(inputs),
    outputsText: outputs === undefined ? null : JSON.stringify(outputs),
    inputs,
    outputs,
    attributes: {},
    events: [],
  });
  assert.equal(spanChat(plain("CHAIN", "hello")), null);
  assert.equal(spanChat(plain("CHAIN", { question: "What?" })), null);
  assert.deepEqual(spanChat(plain("CHAIN", { question: "What?" }, { answer: "That." }))?.length, 2);
  assert.equal(spanChat(plain("RETRIEVER", { query: "q" }, [{ page_content: "doc" }])), null);
  assert.equal(spanChat(plain("TOOL", { query: "q" }, { answer: "a" })), null);
  assert.deepEqual(spanChat(plain("TOOL", [{ role: "user", content: "q" }], { role: "assistant", content: "a" }))?.length, 2);
});
