// Vercel AI SDK telemetry: ai.operationId, ai.prompt*, ai.response.*, ai.toolCall.*, ai.usage.* (v5 names
// inputTokens/outputTokens before v4's promptTokens/completionTokens), ai.model.*.
import { firstJson, has, jsonish, tokenUsageOf } from "./attrs";
import type { Convention } from "./Convention";

const GENERATE = ["ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject"];
const RESPONSE_KEYS = ["ai.response.text", "ai.response.object", "ai.response.toolCalls", "ai.response.finishReason"];

export const vercelAi: Convention = {
  name: "Vercel AI SDK",
  spanType(a) {
    const op = a["ai.operationId"];
    if (typeof op !== "string") return undefined;
    if (GENERATE.some((p) => op.startsWith(p))) return "LLM";
    if (op.startsWith("ai.toolCall")) return "TOOL";
    if (op.startsWith("ai.embed")) return "EMBEDDING";
    return undefined;
  },
  inputs: (a) => firstJson(a, ["ai.prompt.messages", "ai.prompt", "ai.toolCall.args", "ai.values", "ai.value"]),
  outputs(a) {
    const out: Record<string, unknown> = {};
    let any = false;
    for (const k of RESPONSE_KEYS) {
      if (!has(a, k)) continue;
      out[k.slice("ai.response.".length)] = k === "ai.response.text" ? a[k] : jsonish(a[k]);
      any = true;
    }
    return any ? out : firstJson(a, ["ai.toolCall.result", "ai.embeddings", "ai.embedding"]);
  },
  tokenUsage: (a) => tokenUsageOf(a, "ai.usage.inputTokens", "ai.usage.outputTokens", "ai.usage.totalTokens", ["ai.usage.cachedInputTokens", "ai.usage.cacheCreationInputTokens"]) ?? tokenUsageOf(a, "ai.usage.promptTokens", "ai.usage.completionTokens", null),
  modelKeys: ["ai.model.id"],
  providerKeys: ["ai.model.provider"],
};
