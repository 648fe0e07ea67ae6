// The derivation step: from what a span carries to what an MLflow client would have set (spec §4.3 step 6,
// §9.6). One table of third-party semantic conventions fills span type, inputs, outputs, token usage, model
// and provider; an MLflow key that is already present is never overwritten, so spans from the MLflow SDKs
// pass through unchanged. Also the trace-level rules: previews (§3.5), session and user (§8), trace tags.
import type { NormalizedSpan, SpanEvent } from "./model";

export const ATTR = {
  spanType: "mlflow.spanType",
  inputs: "mlflow.spanInputs",
  outputs: "mlflow.spanOutputs",
  tokenUsage: "mlflow.chat.tokenUsage",
  cost: "mlflow.llm.cost",
  model: "mlflow.llm.model",
  provider: "mlflow.llm.provider",
  messageFormat: "mlflow.message.format",
  traceRequestId: "mlflow.traceRequestId",
  experimentId: "mlflow.experimentId",
  traceTagPrefix: "mlflow.traceTag.",
} as const;

type Attrs = Record<string, unknown>;

const has = (a: Attrs, k: string) => a[k] !== undefined && a[k] !== null;

function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Strings that hold JSON (SDKs send messages as JSON text) are parsed; other values pass through. */
function jsonish(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trimStart();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

// ---------------------------------------------------------------- span type

const GENAI_OPERATION_TYPES: Record<string, string> = {
  chat: "CHAT_MODEL",
  create_agent: "AGENT",
  invoke_agent: "AGENT",
  embeddings: "EMBEDDING",
  execute_tool: "TOOL",
  generate_content: "LLM",
  text_completion: "LLM",
  response: "LLM",
};
const OPENINFERENCE_KINDS = new Set(["TOOL", "CHAIN", "LLM", "RETRIEVER", "EMBEDDING", "AGENT", "RERANKER", "GUARDRAIL", "EVALUATOR", "UNKNOWN"]);
const TRACELOOP_KINDS: Record<string, string> = { workflow: "WORKFLOW", task: "TASK", agent: "AGENT", tool: "TOOL", unknown: "UNKNOWN" };
const TRACELOOP_REQUEST_TYPES: Record<string, string> = { chat: "CHAT_MODEL", completion: "LLM", embedding: "EMBEDDING", rerank: "RERANKER" };
const LANGFUSE_TYPES: Record<string, string> = {
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

function vercelType(op: string): string | undefined {
  if (/^ai\.(generateText|streamText|generateObject|streamObject)/.test(op)) return "LLM";
  if (op.startsWith("ai.toolCall")) return "TOOL";
  if (op.startsWith("ai.embed")) return "EMBEDDING";
  return undefined;
}

export function deriveSpanType(a: Attrs): string | undefined {
  const op = a["gen_ai.operation.name"];
  if (typeof op === "string" && GENAI_OPERATION_TYPES[op]) return GENAI_OPERATION_TYPES[op];
  const oi = a["openinference.span.kind"];
  if (typeof oi === "string" && OPENINFERENCE_KINDS.has(oi.toUpperCase())) return oi.toUpperCase();
  const tl = a["traceloop.span.kind"];
  if (typeof tl === "string" && TRACELOOP_KINDS[tl.toLowerCase()]) return TRACELOOP_KINDS[tl.toLowerCase()];
  const tlReq = a["llm.request.type"];
  if (typeof tlReq === "string" && TRACELOOP_REQUEST_TYPES[tlReq.toLowerCase()]) return TRACELOOP_REQUEST_TYPES[tlReq.toLowerCase()];
  const lf = a["langfuse.observation.type"];
  if (typeof lf === "string" && LANGFUSE_TYPES[lf.toLowerCase()]) return LANGFUSE_TYPES[lf.toLowerCase()];
  const ai = a["ai.operationId"];
  if (typeof ai === "string") return vercelType(ai);
  return undefined;
}

// ---------------------------------------------------------------- inputs / outputs

const GENAI_INPUT_EVENTS: Record<string, string> = {
  "gen_ai.system.message": "system",
  "gen_ai.user.message": "user",
  "gen_ai.assistant.message": "assistant",
  "gen_ai.tool.message": "tool",
};

/** One chat message from a GenAI semconv event (attributes `content`/`role`/`tool_calls`, or a JSON body). */
function eventMessage(e: SpanEvent, defaultRole: string): Record<string, unknown> {
  const a = e.attributes;
  const body = jsonish(a["gen_ai.event.content"] ?? a["event.body"] ?? a["body"]);
  const m: Record<string, unknown> = body && typeof body === "object" && !Array.isArray(body) ? { ...(body as object) } : {};
  if (m.role === undefined) m.role = typeof a.role === "string" ? a.role : defaultRole;
  if (m.content === undefined && a.content !== undefined) m.content = jsonish(a.content);
  if (m.tool_calls === undefined && a.tool_calls !== undefined) m.tool_calls = jsonish(a.tool_calls);
  if (m.id === undefined && typeof a.id === "string") m.id = a.id;
  return m;
}

function choiceMessage(e: SpanEvent): Record<string, unknown> {
  const a = e.attributes;
  const body = jsonish(a["gen_ai.event.content"] ?? a["event.body"] ?? a["body"]);
  const c: Record<string, unknown> = body && typeof body === "object" && !Array.isArray(body) ? { ...(body as object) } : {};
  if (c.index === undefined && a.index !== undefined) c.index = num(a.index) ?? a.index;
  if (c.finish_reason === undefined && a.finish_reason !== undefined) c.finish_reason = a.finish_reason;
  if (c.message === undefined) {
    const msg = jsonish(a.message);
    if (msg && typeof msg === "object") c.message = msg;
    else if (a.content !== undefined || a.tool_calls !== undefined) {
      const m: Record<string, unknown> = { role: typeof a.role === "string" ? a.role : "assistant" };
      if (a.content !== undefined) m.content = jsonish(a.content);
      if (a.tool_calls !== undefined) m.tool_calls = jsonish(a.tool_calls);
      c.message = m;
    }
  }
  return c;
}

/** `prefix.N.field` (and `prefix.N.a.M.b`) flattened attributes → [{field: …}] in index order. */
function indexedObjects(a: Attrs, prefix: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const p = prefix + ".";
  for (const k in a) {
    if (!k.startsWith(p)) continue;
    const rest = k.slice(p.length);
    const dot = rest.indexOf(".");
    if (dot <= 0) continue;
    const idx = Number(rest.slice(0, dot));
    if (!Number.isInteger(idx) || idx < 0 || idx > 10_000) continue;
    const path = rest.slice(dot + 1).split(".");
    let o = (out[idx] ??= {});
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i];
      o = (o[seg] ??= {}) as Record<string, unknown>;
    }
    o[path[path.length - 1]] = a[k];
  }
  // nested numeric objects ({"0": …}) → arrays
  const fix = (v: unknown): unknown => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    const o = v as Record<string, unknown>;
    if (keys.length && keys.every((k) => /^\d+$/.test(k))) return keys.sort((x, y) => Number(x) - Number(y)).map((k) => fix(o[k]));
    for (const k of keys) o[k] = fix(o[k]);
    return o;
  };
  return out.filter(Boolean).map((x) => fix(x) as Record<string, unknown>);
}

function deriveInputs(a: Attrs, events: SpanEvent[]): unknown {
  // OTel GenAI semconv: attribute form first, event form only when the attribute is absent (never both:
  // MLflow #25718 showed each message twice).
  if (has(a, "gen_ai.input.messages")) return jsonish(a["gen_ai.input.messages"]);
  if (has(a, "gen_ai.tool.call.arguments")) return jsonish(a["gen_ai.tool.call.arguments"]);
  const msgEvents = events.filter((e) => GENAI_INPUT_EVENTS[e.name]);
  if (msgEvents.length) return msgEvents.map((e) => eventMessage(e, GENAI_INPUT_EVENTS[e.name]));
  // OpenInference
  if (has(a, "input.value")) return jsonish(a["input.value"]);
  const oiMsgs = indexedObjects(a, "llm.input_messages");
  if (oiMsgs.length) return oiMsgs.map((m) => (m.message as Record<string, unknown>) ?? m);
  // Traceloop
  if (has(a, "traceloop.entity.input")) return jsonish(a["traceloop.entity.input"]);
  const prompts = indexedObjects(a, "gen_ai.prompt");
  if (prompts.length) return prompts.map((m) => ({ ...m, content: jsonish(m.content) }));
  // Langfuse
  if (has(a, "langfuse.observation.input")) return jsonish(a["langfuse.observation.input"]);
  // Vercel AI SDK
  if (has(a, "ai.prompt.messages")) return jsonish(a["ai.prompt.messages"]);
  if (has(a, "ai.prompt")) return jsonish(a["ai.prompt"]);
  if (has(a, "ai.toolCall.args")) return jsonish(a["ai.toolCall.args"]);
  if (has(a, "ai.values")) return jsonish(a["ai.values"]);
  if (has(a, "ai.value")) return jsonish(a["ai.value"]);
  return undefined;
}

function deriveOutputs(a: Attrs, events: SpanEvent[]): unknown {
  if (has(a, "gen_ai.output.messages")) return jsonish(a["gen_ai.output.messages"]);
  if (has(a, "gen_ai.tool.call.result")) return jsonish(a["gen_ai.tool.call.result"]);
  const choices = events.filter((e) => e.name === "gen_ai.choice");
  if (choices.length) return { choices: choices.map(choiceMessage) };
  if (has(a, "output.value")) return jsonish(a["output.value"]);
  const oiMsgs = indexedObjects(a, "llm.output_messages");
  if (oiMsgs.length) return oiMsgs.map((m) => (m.message as Record<string, unknown>) ?? m);
  if (has(a, "traceloop.entity.output")) return jsonish(a["traceloop.entity.output"]);
  const completions = indexedObjects(a, "gen_ai.completion");
  if (completions.length) return completions.map((m) => ({ ...m, content: jsonish(m.content) }));
  if (has(a, "langfuse.observation.output")) return jsonish(a["langfuse.observation.output"]);
  const vercel: Record<string, unknown> = {};
  for (const k of ["ai.response.text", "ai.response.object", "ai.response.toolCalls", "ai.response.finishReason"]) {
    if (has(a, k)) vercel[k.slice("ai.response.".length)] = k === "ai.response.text" ? a[k] : jsonish(a[k]);
  }
  if (Object.keys(vercel).length) return vercel;
  if (has(a, "ai.toolCall.result")) return jsonish(a["ai.toolCall.result"]);
  if (has(a, "ai.embeddings")) return jsonish(a["ai.embeddings"]);
  if (has(a, "ai.embedding")) return jsonish(a["ai.embedding"]);
  return undefined;
}

// ---------------------------------------------------------------- tokens, model, provider

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

const TOKEN_KEYS: [string, string, string | null][] = [
  ["gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", null],
  ["llm.token_count.prompt", "llm.token_count.completion", "llm.token_count.total"],
  ["gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "llm.usage.total_tokens"],
  ["ai.usage.inputTokens", "ai.usage.outputTokens", "ai.usage.totalTokens"],
  ["ai.usage.promptTokens", "ai.usage.completionTokens", null],
];

export function deriveTokenUsage(a: Attrs): TokenUsage | undefined {
  for (const [ik, ok, tk] of TOKEN_KEYS) {
    const i = num(a[ik]);
    const o = num(a[ok]);
    if (i === undefined || o === undefined) continue;
    const t = tk ? num(a[tk]) : undefined;
    return { input_tokens: i, output_tokens: o, total_tokens: t ?? i + o };
  }
  const lf = jsonish(a["langfuse.observation.usage_details"]);
  if (lf && typeof lf === "object") {
    const u = lf as Record<string, unknown>;
    const i = num(u.input ?? u.prompt_tokens ?? u.input_tokens);
    const o = num(u.output ?? u.completion_tokens ?? u.output_tokens);
    if (i !== undefined && o !== undefined) return { input_tokens: i, output_tokens: o, total_tokens: num(u.total) ?? i + o };
  }
  return undefined;
}

function firstString(a: Attrs, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = a[k];
    if (typeof v === "string" && v !== "") return v;
  }
  return undefined;
}

const MODEL_KEYS = ["gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "embedding.model_name", "langfuse.observation.model.name", "ai.model.id"];
const PROVIDER_KEYS = ["gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system", "ai.model.provider"];

/**
 * Fills the MLflow keys a convention can supply, in place. Idempotent: once a key is set it is never
 * overwritten, so deriving twice (OTLP, then traces.json of the same span) gives the same attributes.
 */
export function deriveSpan(span: NormalizedSpan): NormalizedSpan {
  const a = span.attributes;
  if (!has(a, ATTR.spanType)) {
    const t = deriveSpanType(a);
    if (t) a[ATTR.spanType] = t;
  }
  if (!has(a, ATTR.inputs)) {
    const v = deriveInputs(a, span.events);
    if (v !== undefined) a[ATTR.inputs] = v;
  }
  if (!has(a, ATTR.outputs)) {
    const v = deriveOutputs(a, span.events);
    if (v !== undefined) a[ATTR.outputs] = v;
  }
  if (!has(a, ATTR.tokenUsage)) {
    const u = deriveTokenUsage(a);
    if (u) a[ATTR.tokenUsage] = u;
  } else if (typeof a[ATTR.tokenUsage] === "string") {
    a[ATTR.tokenUsage] = jsonish(a[ATTR.tokenUsage]);
  }
  if (!has(a, ATTR.model)) {
    const m = firstString(a, MODEL_KEYS);
    if (m) a[ATTR.model] = m;
  }
  if (!has(a, ATTR.provider)) {
    const p = firstString(a, PROVIDER_KEYS);
    if (p) a[ATTR.provider] = p;
  }
  return span;
}

// ---------------------------------------------------------------- trace level

export const PREVIEW_MAX = 1000;

export function truncatePreview(s: string, max = PREVIEW_MAX): string {
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}

function isMessage(m: unknown): m is { role: unknown; content: unknown } {
  return !!m && typeof m === "object" && "role" in m && "content" in m;
}

function contentText(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === "string") return part;
      if (part && typeof part === "object") {
        const p = part as Record<string, unknown>;
        if ((p.type === "text" || p.type === "output_text" || p.type === "input_text") && typeof p.text === "string") return p.text;
        if (typeof p.content === "string" && (p.type === "text" || p.type === undefined)) return p.content;
      }
    }
  }
  return undefined;
}

function pickMessage(list: unknown[], role: string): string | undefined {
  const msgs = list.filter(isMessage);
  if (!msgs.length) return undefined;
  const withRole = msgs.filter((m) => m.role === role);
  const m = (withRole.length ? withRole : msgs)[(withRole.length ? withRole : msgs).length - 1];
  return contentText(m.content) ?? (typeof m.content === "undefined" ? undefined : JSON.stringify(m.content));
}

function chatText(obj: unknown, role: string, depth = 0): string | undefined {
  if (depth > 3 || !obj || typeof obj !== "object") return undefined;
  if (Array.isArray(obj)) return pickMessage(obj, role);
  const o = obj as Record<string, unknown>;
  if (Array.isArray(o.messages)) {
    const t = pickMessage(o.messages, role);
    if (t !== undefined) return t;
  }
  if (Array.isArray(o.choices) && o.choices.length) {
    const first = o.choices[0] as Record<string, unknown> | undefined;
    if (first && isMessage(first.message)) return contentText(first.message.content) ?? JSON.stringify(first.message.content);
  }
  for (const k of ["input", "output"]) {
    if (Array.isArray(o[k])) {
      const t = pickMessage(o[k] as unknown[], role);
      if (t !== undefined) return t;
    }
  }
  if (o.request) return chatText(o.request, role, depth + 1);
  return undefined;
}

/** §3.5: the preview of a root span's inputs ("user") or outputs ("assistant"). */
export function previewOf(value: unknown, role: "user" | "assistant"): string | null {
  if (value === undefined) return null;
  const text = chatText(value, role) ?? (typeof value === "string" ? value : JSON.stringify(value));
  return text === undefined ? null : truncatePreview(text);
}

const SESSION_KEYS = ["mlflow.trace.session", "session.id", "gen_ai.conversation.id"];
const USER_KEYS = ["mlflow.trace.user", "user.id"];

function scalarString(v: unknown): string | undefined {
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  return undefined;
}

export function sessionOf(a: Attrs): string | undefined {
  for (const k of SESSION_KEYS) {
    const s = scalarString(a[k]);
    if (s) return s;
  }
  return undefined;
}

export function userOf(a: Attrs): string | undefined {
  for (const k of USER_KEYS) {
    const s = scalarString(a[k]);
    if (s) return s;
  }
  return undefined;
}

/** `mlflow.traceTag.<k>` span attributes → trace tags (values as strings). */
export function traceTagsOf(a: Attrs, into: Record<string, string>): void {
  for (const k in a) {
    if (!k.startsWith(ATTR.traceTagPrefix)) continue;
    const key = k.slice(ATTR.traceTagPrefix.length);
    if (!key) continue;
    const v = a[k];
    into[key] = typeof v === "string" ? v : JSON.stringify(v);
  }
}
