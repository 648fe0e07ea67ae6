import assert from "node:assert/strict";
import { test } from "node:test";
import { deriveSpan, previewOf, sessionOf, userOf } from "./derive";
import type { NormalizedSpan, SpanEvent } from "./model";

function span(attributes: Record<string, unknown>, events: SpanEvent[] = []): NormalizedSpan {
  return {
    traceId: "tr-" + "0".repeat(31) + "1",
    spanId: "0".repeat(15) + "1",
    parentSpanId: null,
    name: "s",
    startTimeNs: 1n,
    endTimeNs: 2n,
    status: { code: "OK", message: "" },
    attributes,
    events,
  };
}
const derived = (a: Record<string, unknown>, e: SpanEvent[] = []) => deriveSpan(span(a, e)).attributes;

test("OTel GenAI semconv: operation → type, messages attributes → I/O, usage, model, provider", () => {
  const a = derived({
    "gen_ai.operation.name": "chat",
    "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: "hi" }] }]),
    "gen_ai.output.messages": [{ role: "assistant", parts: [{ type: "text", content: "hello" }] }],
    "gen_ai.usage.input_tokens": 3,
    "gen_ai.usage.output_tokens": 4,
    "gen_ai.request.model": "gpt-req",
    "gen_ai.response.model": "gpt-resp",
    "gen_ai.provider.name": "openai",
  });
  assert.equal(a["mlflow.spanType"], "CHAT_MODEL");
  assert.deepEqual(a["mlflow.spanInputs"], [{ role: "user", parts: [{ type: "text", content: "hi" }] }]);
  assert.deepEqual(a["mlflow.spanOutputs"], [{ role: "assistant", parts: [{ type: "text", content: "hello" }] }]);
  assert.deepEqual(a["mlflow.chat.tokenUsage"], { input_tokens: 3, output_tokens: 4, total_tokens: 7 });
  assert.equal(a["mlflow.llm.model"], "gpt-resp");
  assert.equal(a["mlflow.llm.provider"], "openai");
  for (const [op, type] of [["invoke_agent", "AGENT"], ["create_agent", "AGENT"], ["embeddings", "EMBEDDING"], ["execute_tool", "TOOL"], ["generate_content", "LLM"], ["text_completion", "LLM"]]) {
    assert.equal(derived({ "gen_ai.operation.name": op })["mlflow.spanType"], type, op);
  }
  const tool = derived({ "gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.arguments": '{"q":"x"}', "gen_ai.tool.call.result": "42" });
  assert.deepEqual(tool["mlflow.spanInputs"], { q: "x" });
  assert.equal(tool["mlflow.spanOutputs"], "42");
});

test("GenAI messages in span events become I/O once, never duplicated with the attribute form", () => {
  const ev = (name: string, attributes: Record<string, unknown>): SpanEvent => ({ name, timeNs: 1n, attributes });
  const events = [
    ev("gen_ai.system.message", { content: "be brief" }),
    ev("gen_ai.user.message", { content: "2+2?" }),
    ev("gen_ai.choice", { index: 0, finish_reason: "stop", message: '{"role":"assistant","content":"4"}' }),
  ];
  const a = derived({ "gen_ai.operation.name": "chat" }, events);
  assert.deepEqual(a["mlflow.spanInputs"], [{ role: "system", content: "be brief" }, { role: "user", content: "2+2?" }]);
  assert.deepEqual(a["mlflow.spanOutputs"], { choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "4" } }] });
  // both forms present: the attribute wins, the events are not appended (MLflow #25718)
  const both = derived({ "gen_ai.input.messages": [{ role: "user", content: "2+2?" }] }, events);
  assert.deepEqual(both["mlflow.spanInputs"], [{ role: "user", content: "2+2?" }]);
});

test("OpenInference: span kind, input/output values, token counts, model and provider", () => {
  const a = derived({
    "openinference.span.kind": "RETRIEVER",
    "input.value": '{"query":"q"}',
    "output.value": "plain text",
    "llm.token_count.prompt": 10,
    "llm.token_count.completion": 2,
    "llm.token_count.total": 12,
    "llm.model_name": "m",
    "llm.provider": "anthropic",
  });
  assert.equal(a["mlflow.spanType"], "RETRIEVER");
  assert.deepEqual(a["mlflow.spanInputs"], { query: "q" });
  assert.equal(a["mlflow.spanOutputs"], "plain text");
  assert.deepEqual(a["mlflow.chat.tokenUsage"], { input_tokens: 10, output_tokens: 2, total_tokens: 12 });
  assert.equal(a["mlflow.llm.model"], "m");
  assert.equal(a["mlflow.llm.provider"], "anthropic");
  const msgs = derived({ "openinference.span.kind": "LLM", "llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "hi", "llm.input_messages.1.message.role": "assistant", "llm.input_messages.1.message.content": "yo" });
  assert.deepEqual(msgs["mlflow.spanInputs"], [{ role: "user", content: "hi" }, { role: "assistant", content: "yo" }]);
});

test("Traceloop / OpenLLMetry: span kind, entity I/O, indexed prompts and completions, usage", () => {
  assert.equal(derived({ "traceloop.span.kind": "workflow" })["mlflow.spanType"], "WORKFLOW");
  assert.equal(derived({ "traceloop.span.kind": "task" })["mlflow.spanType"], "TASK");
  const wf = derived({ "traceloop.span.kind": "tool", "traceloop.entity.input": '{"args":[1]}', "traceloop.entity.output": '{"r":2}' });
  assert.equal(wf["mlflow.spanType"], "TOOL");
  assert.deepEqual(wf["mlflow.spanInputs"], { args: [1] });
  assert.deepEqual(wf["mlflow.spanOutputs"], { r: 2 });
  const llm = derived({
    "llm.request.type": "chat",
    "gen_ai.system": "OpenAI",
    "gen_ai.prompt.0.role": "user",
    "gen_ai.prompt.0.content": "hi",
    "gen_ai.completion.0.role": "assistant",
    "gen_ai.completion.0.content": "hello",
    "gen_ai.usage.prompt_tokens": 5,
    "gen_ai.usage.completion_tokens": 6,
    "llm.usage.total_tokens": 11,
  });
  assert.equal(llm["mlflow.spanType"], "CHAT_MODEL");
  assert.deepEqual(llm["mlflow.spanInputs"], [{ role: "user", content: "hi" }]);
  assert.deepEqual(llm["mlflow.spanOutputs"], [{ role: "assistant", content: "hello" }]);
  assert.deepEqual(llm["mlflow.chat.tokenUsage"], { input_tokens: 5, output_tokens: 6, total_tokens: 11 });
  assert.equal(llm["mlflow.llm.provider"], "OpenAI");
});

test("Langfuse and Vercel AI SDK", () => {
  const lf = derived({ "langfuse.observation.type": "generation", "langfuse.observation.input": '[{"role":"user","content":"x"}]', "langfuse.observation.output": "y" });
  assert.equal(lf["mlflow.spanType"], "LLM");
  assert.deepEqual(lf["mlflow.spanInputs"], [{ role: "user", content: "x" }]);
  assert.equal(lf["mlflow.spanOutputs"], "y");
  assert.equal(derived({ "langfuse.observation.type": "span" })["mlflow.spanType"], "UNKNOWN");
  const v = derived({ "ai.operationId": "ai.generateText.doGenerate", "ai.prompt.messages": '[{"role":"user","content":"q"}]', "ai.response.text": "a", "ai.usage.promptTokens": 1, "ai.usage.completionTokens": 2, "ai.model.id": "gpt", "ai.model.provider": "openai.chat" });
  assert.equal(v["mlflow.spanType"], "LLM");
  assert.deepEqual(v["mlflow.spanInputs"], [{ role: "user", content: "q" }]);
  assert.deepEqual(v["mlflow.spanOutputs"], { text: "a" });
  assert.deepEqual(v["mlflow.chat.tokenUsage"], { input_tokens: 1, output_tokens: 2, total_tokens: 3 });
  assert.equal(v["mlflow.llm.model"], "gpt");
  const tool = derived({ "ai.operationId": "ai.toolCall", "ai.toolCall.args": '{"x":1}', "ai.toolCall.result": '{"y":2}' });
  assert.equal(tool["mlflow.spanType"], "TOOL");
  assert.deepEqual(tool["mlflow.spanInputs"], { x: 1 });
  assert.deepEqual(tool["mlflow.spanOutputs"], { y: 2 });
  assert.equal(derived({ "ai.operationId": "ai.embedMany" })["mlflow.spanType"], "EMBEDDING");
});

test("MLflow keys already present are never overwritten; deriving twice changes nothing", () => {
  const a = derived({ "mlflow.spanType": "AGENT", "mlflow.spanInputs": { q: 1 }, "gen_ai.operation.name": "chat", "gen_ai.input.messages": [], "mlflow.chat.tokenUsage": { input_tokens: 1, output_tokens: 1, total_tokens: 2 }, "gen_ai.usage.input_tokens": 9, "gen_ai.usage.output_tokens": 9 });
  assert.equal(a["mlflow.spanType"], "AGENT");
  assert.deepEqual(a["mlflow.spanInputs"], { q: 1 });
  assert.deepEqual(a["mlflow.chat.tokenUsage"], { input_tokens: 1, output_tokens: 1, total_tokens: 2 });
  const once = derived({ "gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 1, "gen_ai.usage.output_tokens": 1 });
  assert.deepEqual(deriveSpan(span({ ...once })).attributes, once);
  assert.equal(derived({ foo: "bar" })["mlflow.spanType"], undefined);
});

test("previews follow §3.5: last user / assistant message, content parts, recursion into request, 1000 chars", () => {
  assert.equal(previewOf({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: "b" }, { role: "user", content: "c" }] }, "user"), "c");
  assert.equal(previewOf({ choices: [{ message: { role: "assistant", content: "answer" } }] }, "assistant"), "answer");
  assert.equal(previewOf({ input: [{ role: "user", content: [{ type: "input_image" }, { type: "text", text: "part" }] }] }, "user"), "part");
  assert.equal(previewOf({ request: { messages: [{ role: "user", content: "deep" }] } }, "user"), "deep");
  assert.equal(previewOf({ question: "What?" }, "user"), '{"question":"What?"}');
  assert.equal(previewOf("plain", "user"), "plain");
  const long = previewOf("x".repeat(2000), "user")!;
  assert.equal(long.length, 1000);
  assert.ok(long.endsWith("..."));
  assert.equal(previewOf(undefined, "user"), null);
});

test("session and user keys", () => {
  assert.equal(sessionOf({ "gen_ai.conversation.id": "c" }), "c");
  assert.equal(sessionOf({ "session.id": "s", "gen_ai.conversation.id": "c" }), "s");
  assert.equal(sessionOf({ "mlflow.trace.session": "m", "session.id": "s" }), "m");
  assert.equal(userOf({ "user.id": "u" }), "u");
  assert.equal(userOf({}), undefined);
});

test("cost: a span with a model and usage is priced from the table, cached input at its rate; a client's cost stays", () => {
  const a = derived({ "gen_ai.request.model": "gpt-4o-mini", "gen_ai.provider.name": "openai", "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 1_000_000, "gen_ai.usage.cache_read.input_tokens": 400_000 });
  const c = a["mlflow.llm.cost"] as { input_cost: number; output_cost: number; total_cost: number };
  assert.ok(Math.abs(c.input_cost - (0.6 * 0.15 + 0.4 * 0.075)) < 1e-12, String(c.input_cost));
  assert.ok(Math.abs(c.output_cost - 0.6) < 1e-12);
  assert.ok(Math.abs(c.total_cost - c.input_cost - c.output_cost) < 1e-12);
  assert.equal(a["flowtrace.cost.source"], "genai-prices@0.1.8");
  const client = derived({ "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 1, "mlflow.llm.cost": { input_cost: 1, output_cost: 2, total_cost: 3 } });
  assert.deepEqual(client["mlflow.llm.cost"], { input_cost: 1, output_cost: 2, total_cost: 3 });
  assert.equal(client["flowtrace.cost.source"], undefined);
  const unknown = derived({ "gen_ai.request.model": "no-such-model-xyz", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 1 });
  assert.equal(unknown["mlflow.llm.cost"], undefined);
  assert.equal(derived({ "gen_ai.request.model": "gpt-4o-mini" })["mlflow.llm.cost"], undefined);
});
