import assert from "node:assert/strict";
import { test } from "node:test";
import { deriveSpanType, deriveTokenUsage } from "../tracing/derive";
import { conventions, MODEL_KEYS, SESSION_KEYS } from "./conventions";

test("one ordered list: MLflow's own keys, then GenAI semconv, OpenInference, Traceloop, Langfuse, Vercel AI", () => {
  assert.deepEqual(
    conventions.map((c) => c.name),
    ["MLflow SDKs", "OpenTelemetry GenAI semconv", "OpenInference", "Traceloop / OpenLLMetry", "Langfuse", "Vercel AI SDK"],
  );
  assert.deepEqual(SESSION_KEYS, ["mlflow.trace.session", "session.id", "gen_ai.conversation.id"]);
  assert.equal(MODEL_KEYS[0], "gen_ai.response.model");
  assert.equal(MODEL_KEYS[MODEL_KEYS.length - 1], "ai.model.id");
});

test("the earlier convention wins a piece both can supply; a piece one lacks falls to the next", () => {
  assert.equal(deriveSpanType({ "gen_ai.operation.name": "chat", "openinference.span.kind": "CHAIN" }), "CHAT_MODEL");
  assert.equal(deriveSpanType({ "gen_ai.operation.name": "unknown_op", "openinference.span.kind": "chain" }), "CHAIN");
  assert.equal(deriveSpanType({ "traceloop.span.kind": "nope", "llm.request.type": "chat" }), "CHAT_MODEL");
  // names of Object.prototype are no operation names
  assert.equal(deriveSpanType({ "gen_ai.operation.name": "toString", "langfuse.observation.type": "constructor" }), undefined);
  assert.deepEqual(deriveTokenUsage({ "llm.token_count.prompt": 1, "llm.token_count.completion": 2, "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 6 }), { input_tokens: 5, output_tokens: 6, total_tokens: 11 });
  // Langfuse's explicit usage_details before Vercel's ai.usage.*, as for every other piece
  assert.deepEqual(deriveTokenUsage({ "langfuse.observation.usage_details": '{"input":1,"output":2}', "ai.usage.inputTokens": 7, "ai.usage.outputTokens": 8 }), { input_tokens: 1, output_tokens: 2, total_tokens: 3 });
  assert.deepEqual(deriveTokenUsage({ "ai.usage.promptTokens": 7, "ai.usage.completionTokens": 8 }), { input_tokens: 7, output_tokens: 8, total_tokens: 15 });
});

test("cached input tokens: each convention's cache counts are kept in the usage, absent ones stay absent", () => {
  const cached = (u: object) => ({ input_tokens: 100, output_tokens: 10, total_tokens: 110, ...u });
  assert.deepEqual(
    deriveTokenUsage({ "gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 10, "gen_ai.usage.cache_read.input_tokens": 60, "gen_ai.usage.cache_creation.input_tokens": 5 }),
    cached({ cache_read_input_tokens: 60, cache_creation_input_tokens: 5 }),
  );
  assert.deepEqual(
    deriveTokenUsage({ "llm.token_count.prompt": 100, "llm.token_count.completion": 10, "llm.token_count.prompt_details.cache_read": "60", "llm.token_count.prompt_details.cache_write": 5 }),
    cached({ cache_read_input_tokens: 60, cache_creation_input_tokens: 5 }),
  );
  assert.deepEqual(
    deriveTokenUsage({ "gen_ai.usage.prompt_tokens": 100, "gen_ai.usage.completion_tokens": 10, "gen_ai.usage.cache_read_input_tokens": 60 }),
    cached({ cache_read_input_tokens: 60 }),
  );
  assert.deepEqual(deriveTokenUsage({ "ai.usage.inputTokens": 100, "ai.usage.outputTokens": 10, "ai.usage.cachedInputTokens": 60 }), cached({ cache_read_input_tokens: 60 }));
  // Langfuse's `input` leaves the cached tokens out: they are added back
  assert.deepEqual(deriveTokenUsage({ "langfuse.observation.usage_details": { input: 40, output: 10, input_cached_tokens: 60 } }), cached({ cache_read_input_tokens: 60 }));
  assert.deepEqual(deriveTokenUsage({ "gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 10 }), cached({}));
});
