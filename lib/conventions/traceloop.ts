// Traceloop / OpenLLMetry: traceloop.span.kind and llm.request.type, traceloop.entity.input/output, and the
// legacy flattened gen_ai.prompt.N.* / gen_ai.completion.N.* messages with prompt/completion token counts.
import { mergeConversation } from "../chat/mergeConversation";
import { has, jsonish, tokenUsageOf } from "./attrs";
import type { Convention } from "./Convention";
import { flattenedMessages, indexedObjects } from "./flattened";

const KINDS: Record<string, string> = { workflow: "WORKFLOW", task: "TASK", agent: "AGENT", tool: "TOOL", unknown: "UNKNOWN" };
const REQUEST_TYPES: Record<string, string> = { chat: "CHAT_MODEL", completion: "LLM", embedding: "EMBEDDING", rerank: "RERANKER" };

const lookup = (table: Record<string, string>, v: unknown) => (typeof v === "string" && Object.hasOwn(table, v.toLowerCase()) ? table[v.toLowerCase()] : undefined);

function messages(a: Record<string, unknown>, prefix: string): unknown {
  const ms = indexedObjects(a, prefix);
  return ms.length ? ms.map((m) => ({ ...m, content: jsonish(m.content) })) : undefined;
}

export const traceloop: Convention = {
  name: "Traceloop / OpenLLMetry",
  spanType: (a) => lookup(KINDS, a["traceloop.span.kind"]) ?? lookup(REQUEST_TYPES, a["llm.request.type"]),
  inputs: (a) => (has(a, "traceloop.entity.input") ? jsonish(a["traceloop.entity.input"]) : messages(a, "gen_ai.prompt")),
  outputs: (a) => (has(a, "traceloop.entity.output") ? jsonish(a["traceloop.entity.output"]) : messages(a, "gen_ai.completion")),
  tokenUsage: (a) => tokenUsageOf(a, "gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "llm.usage.total_tokens", ["gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.cache_creation_input_tokens"]),
  chat(a) {
    const input = flattenedMessages(a, "gen_ai.prompt.", "");
    const output = flattenedMessages(a, "gen_ai.completion.", "");
    return input || output ? mergeConversation(input ?? [], output ?? []) : null;
  },
};
