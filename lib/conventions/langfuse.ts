// Langfuse's OpenTelemetry attributes: langfuse.observation.type / input / output / usage_details / model.name.
import { has, jsonish, num, withCache } from "./attrs";
import type { Convention } from "./Convention";

const TYPES: Record<string, string> = {
  generation: "LLM",
  embedding: "EMBEDDING",
  tool: "TOOL",
  retriever: "RETRIEVER",
  agent: "AGENT",
  chain: "CHAIN",
  evaluator: "EVALUATOR",
  guardrail: "GUARDRAIL",
  span: "UNKNOWN",
  event: "UNKNOWN",
};

export const langfuse: Convention = {
  name: "Langfuse",
  spanType(a) {
    const t = a["langfuse.observation.type"];
    return typeof t === "string" && Object.hasOwn(TYPES, t.toLowerCase()) ? TYPES[t.toLowerCase()] : undefined;
  },
  inputs: (a) => (has(a, "langfuse.observation.input") ? jsonish(a["langfuse.observation.input"]) : undefined),
  outputs: (a) => (has(a, "langfuse.observation.output") ? jsonish(a["langfuse.observation.output"]) : undefined),
  tokenUsage(a) {
    if (!has(a, "langfuse.observation.usage_details")) return undefined;
    const lf = jsonish(a["langfuse.observation.usage_details"]);
    if (!lf || typeof lf !== "object") return undefined;
    const u = lf as Record<string, unknown>;
    const i = num(u.input ?? u.prompt_tokens ?? u.input_tokens);
    const o = num(u.output ?? u.completion_tokens ?? u.output_tokens);
    if (i === undefined || o === undefined) return undefined;
    // Langfuse counts cached tokens apart from `input` (input_cached_tokens for OpenAI, cache_read_input_tokens
    // for Anthropic); our input_tokens includes them, as GenAI semconv's does
    const read = num(u.input_cached_tokens ?? u.cache_read_input_tokens);
    const write = num(u.cache_creation_input_tokens);
    const input = i + (read ?? 0) + (write ?? 0);
    return withCache({ input_tokens: input, output_tokens: o, total_tokens: num(u.total) ?? input + o }, read, write);
  },
  modelKeys: ["langfuse.observation.model.name"],
};
