// OpenInference (Arize Phoenix instrumentations): openinference.span.kind, input.value / output.value, and
// messages flattened as llm.input_messages.N.message.*.
import { mergeConversation } from "../chat/mergeConversation";
import { has, jsonish, tokenUsageOf } from "./attrs";
import type { Convention } from "./Convention";
import { flattenedMessages, indexedObjects } from "./flattened";

const KINDS = new Set(["TOOL", "CHAIN", "LLM", "RETRIEVER", "EMBEDDING", "AGENT", "RERANKER", "GUARDRAIL", "EVALUATOR", "UNKNOWN"]);

function messages(a: Record<string, unknown>, prefix: string): unknown {
  const ms = indexedObjects(a, prefix);
  return ms.length ? ms.map((m) => (m.message as Record<string, unknown>) ?? m) : undefined;
}

export const openInference: Convention = {
  name: "OpenInference",
  spanType(a) {
    const kind = a["openinference.span.kind"];
    return typeof kind === "string" && KINDS.has(kind.toUpperCase()) ? kind.toUpperCase() : undefined;
  },
  inputs: (a) => (has(a, "input.value") ? jsonish(a["input.value"]) : messages(a, "llm.input_messages")),
  outputs: (a) => (has(a, "output.value") ? jsonish(a["output.value"]) : messages(a, "llm.output_messages")),
  tokenUsage: (a) => tokenUsageOf(a, "llm.token_count.prompt", "llm.token_count.completion", "llm.token_count.total", ["llm.token_count.prompt_details.cache_read", "llm.token_count.prompt_details.cache_write"]),
  modelKeys: ["llm.model_name", "embedding.model_name"],
  providerKeys: ["llm.provider", "llm.system"],
  chat(a) {
    const input = flattenedMessages(a, "llm.input_messages.", "message.");
    const output = flattenedMessages(a, "llm.output_messages.", "message.");
    return input || output ? mergeConversation(input ?? [], output ?? []) : null;
  },
};
