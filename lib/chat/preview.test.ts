import assert from "node:assert/strict";
import { test } from "node:test";
import { deriveSpan, previewOf, tracePreviewsOf } from "../tracing/derive";
import type { NormalizedSpan } from "../tracing/model";
import { bestPreviewCandidates, bestPreviews, displayPreview, previewCandidate, tracePreviews, type PreviewSpan } from "./preview";

const semconvIn = [{ role: "system", parts: [{ type: "text", content: "be brief" }] }, { role: "user", parts: [{ type: "text", content: "Wie spät ist es?" }] }];
const semconvOut = [{ role: "assistant", parts: [{ type: "text", content: "Es ist drei Uhr." }], finish_reason: "stop" }];

test("issue #18: previews of GenAI semconv parts messages are the conversation's text, not raw JSON", () => {
  assert.equal(previewOf(semconvIn, "user"), "Wie spät ist es?");
  assert.equal(previewOf(semconvOut, "assistant"), "Es ist drei Uhr.");
  // a parts message whose parts hold no text keeps its parts as JSON rather than dropping the message
  assert.equal(previewOf([{ role: "user", parts: [{ type: "blob", modality: "image" }] }], "user"), '[{"type":"blob","modality":"image"}]');
});

test("issue #18: stored previews that are chat JSON display as text (semconv parts, OpenAI messages and choices)", () => {
  assert.equal(displayPreview(JSON.stringify(semconvIn), "request"), "Wie spät ist es?");
  assert.equal(displayPreview(JSON.stringify(semconvOut), "response"), "Es ist drei Uhr.");
  assert.equal(displayPreview('{"messages":[{"role":"system","content":"s"},{"role":"user","content":"hey"}],"model":"gpt-4o"}', "request"), "hey");
  assert.equal(displayPreview('{"choices":[{"index":0,"message":{"role":"assistant","content":"hello"}}]}', "response"), "hello");
  // what the traces table read before stays: {question}, a JSON string, plain text, cut JSON as is
  assert.equal(displayPreview('{"question": "What is MLflow Tracing?", "turn": 1}', "request"), "What is MLflow Tracing?");
  assert.equal(displayPreview('{"result": "42"}', "response"), "42");
  assert.equal(displayPreview('"quoted"', "request"), "quoted");
  assert.equal(displayPreview("plain text", "response"), "plain text");
  assert.equal(displayPreview('{"question": "cut', "request"), '{"question": "cut');
  assert.equal(displayPreview('{"a": 1}', "request"), '{"a": 1}');
  assert.equal(displayPreview(null), null);
  assert.equal(displayPreview(""), null);
});

function otelSpan(spanId: string, parentSpanId: string | null, attributes: Record<string, unknown>, startTimeNs: bigint, events: NormalizedSpan["events"] = []): NormalizedSpan {
  return { traceId: "tr-" + "0".repeat(31) + "1", spanId, parentSpanId, name: spanId, startTimeNs, endTimeNs: startTimeNs + 10n, status: { code: "OK", message: "" }, attributes, events };
}

// The ingest view of a span: its MLflow keys after derivation.
const asPreviewSpan = (s: NormalizedSpan): PreviewSpan => ({
  parentSpanId: s.parentSpanId,
  spanType: s.attributes["mlflow.spanType"] as string | undefined,
  startTimeNs: s.startTimeNs,
  inputs: s.attributes["mlflow.spanInputs"],
  outputs: s.attributes["mlflow.spanOutputs"],
});

test("issue #18: a root without inputs (the usual OTel GenAI shape) takes its previews from the LLM child's messages", () => {
  const derived = [
    otelSpan("root", null, { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "helper" }, 1n),
    otelSpan("llm1", "root", { "gen_ai.operation.name": "chat", "gen_ai.input.messages": JSON.stringify(semconvIn), "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "tool_call", name: "clock", arguments: {} }] }]) }, 2n),
    otelSpan("tool", "root", { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.arguments": "{}", "gen_ai.tool.call.result": '"15:00"' }, 3n),
    otelSpan("llm2", "root", { "gen_ai.operation.name": "chat", "gen_ai.input.messages": JSON.stringify([...semconvIn, { role: "tool", parts: [{ type: "tool_call_response", response: "15:00" }] }]), "gen_ai.output.messages": JSON.stringify(semconvOut) }, 4n),
  ].map(deriveSpan);
  // ingest: straight from the derived spans
  assert.deepEqual(tracePreviewsOf(derived), { request: "Wie spät ist es?", response: "Es ist drei Uhr." });
  const spans = derived.map(asPreviewSpan);
  assert.deepEqual(tracePreviews(spans), { request: "Wie spät ist es?", response: "Es ist drei Uhr." });
  // the order spans arrive in does not matter; candidates gathered over batches give the same answer
  assert.deepEqual(tracePreviews([...spans].reverse()), { request: "Wie spät ist es?", response: "Es ist drei Uhr." });
  assert.deepEqual(bestPreviews([previewCandidate(spans[3]), null, previewCandidate(spans[0]), previewCandidate(spans[1])]), { request: "Wie spät ist es?", response: "Es ist drei Uhr." });
  // both came from model calls (rank 1): a root preview arriving later must replace them, they only fill
  const best = bestPreviewCandidates(spans.map(previewCandidate));
  assert.deepEqual([best.request?.rank, best.response?.rank], [1, 1]);
});

test("the root's own inputs and outputs win, whatever they are (MLflow stores the root's inputs as the preview)", () => {
  const root: PreviewSpan = { parentSpanId: null, spanType: "CHAIN", startTimeNs: 5n, inputs: { question: "What?" }, outputs: "It is." };
  const llm: PreviewSpan = { parentSpanId: "r", spanType: "CHAT_MODEL", startTimeNs: 1n, inputs: { messages: [{ role: "user", content: "inner" }] }, outputs: { choices: [{ message: { role: "assistant", content: "inner answer" } }] } };
  assert.deepEqual(tracePreviews([llm, root]), { request: '{"question":"What?"}', response: "It is." });
  // a root that failed before answering: its request, the model's answer
  assert.deepEqual(tracePreviews([{ ...root, outputs: undefined }, llm]), { request: '{"question":"What?"}', response: "inner answer" });
  assert.deepEqual(tracePreviews([{ ...root, inputs: undefined, outputs: undefined }, llm]), { request: "inner", response: "inner answer" });
  // inputs that are JSON null are a value, as MLflow previews it
  assert.deepEqual(tracePreviews([{ ...root, inputs: null }]), { request: "null", response: "It is." });
  // spans other than the root and model calls offer nothing
  assert.equal(previewCandidate({ parentSpanId: "r", spanType: "TOOL", inputs: { messages: [{ role: "user", content: "x" }] }, outputs: undefined }), null);
  assert.deepEqual(tracePreviews([]), { request: null, response: null });
});
