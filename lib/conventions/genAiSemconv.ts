// OpenTelemetry GenAI semantic conventions: gen_ai.* attributes (≥ 1.37 carries messages as
// gen_ai.input/output.messages with "parts"), and the older span events (gen_ai.user.message, gen_ai.choice…).
// Also OTel's general session.id / user.id.
import {
  contentToText,
  isObj,
  messagesFromList,
  messagesFromMessageObject,
  messagesFromRequest,
  messagesFromResponse,
  parseMaybeJson,
  toolCallsFrom,
  withOptional,
  type ChatMessage,
  type Obj,
} from "../chat/payload";
import { mergeConversation } from "../chat/mergeConversation";
import { has, jsonish, num, tokenUsageOf, type Attrs, type SpanEvent } from "./attrs";
import type { ChatPieces, Convention } from "./Convention";

const OPERATION_TYPES: Record<string, string> = {
  chat: "CHAT_MODEL",
  create_agent: "AGENT",
  invoke_agent: "AGENT",
  embeddings: "EMBEDDING",
  execute_tool: "TOOL",
  generate_content: "LLM",
  text_completion: "LLM",
  response: "LLM",
};

const INPUT_EVENTS: Record<string, string> = {
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

interface EventLike {
  name: string;
  attributes: Obj;
}

// Display reads events as stored (JSON text or a list of {name, attributes}), not as decoded SpanEvents.
function eventsList(events: unknown): EventLike[] {
  const v = parseMaybeJson(events);
  if (!Array.isArray(v)) return [];
  return v.filter((e): e is Obj => isObj(e) && typeof e.name === "string").map((e) => ({ name: e.name as string, attributes: isObj(e.attributes) ? e.attributes : isObj(e.body) ? e.body : {} }));
}

// GenAI semconv (pre-1.37) carried messages in span events; MLflow ignored them (mlflow#23063).
function chatFromEvents(events: unknown): ChatPieces | null {
  const input: ChatMessage[] = [];
  const output: ChatMessage[] = [];
  for (const e of eventsList(events)) {
    const a = e.attributes;
    const body = isObj(parseMaybeJson(a["gen_ai.event.content"])) ? (parseMaybeJson(a["gen_ai.event.content"]) as Obj) : a;
    const content = parseMaybeJson(body.content);
    switch (e.name) {
      case "gen_ai.system.message":
        input.push({ role: "system", content: contentToText(content) });
        break;
      case "gen_ai.user.message":
        input.push({ role: "user", content: contentToText(content) });
        break;
      case "gen_ai.assistant.message":
        input.push(withOptional({ role: "assistant", content: contentToText(content) }, { toolCalls: toolCallsFrom(parseMaybeJson(body.tool_calls)) }));
        break;
      case "gen_ai.tool.message":
        input.push(withOptional({ role: "tool", content: contentToText(content) }, { toolCallId: body.id ?? body.tool_call_id }));
        break;
      case "gen_ai.choice": {
        const msg = parseMaybeJson(body.message);
        if (isObj(msg)) {
          const ms = messagesFromMessageObject({ role: "assistant", ...msg });
          if (ms) output.push(...ms);
        } else if (content !== undefined) {
          output.push({ role: "assistant", content: contentToText(content) });
        }
        break;
      }
      case "gen_ai.content.prompt": {
        const ms = messagesFromRequest(a["gen_ai.prompt"]);
        if (ms) input.push(...ms);
        break;
      }
      case "gen_ai.content.completion": {
        const ms = messagesFromResponse(a["gen_ai.completion"]);
        if (ms) output.push(...ms);
        break;
      }
    }
  }
  return input.length || output.length ? { input, output } : null;
}

export const genAiSemconv: Convention = {
  name: "OpenTelemetry GenAI semconv",
  spanType(a) {
    const op = a["gen_ai.operation.name"];
    return typeof op === "string" && Object.hasOwn(OPERATION_TYPES, op) ? OPERATION_TYPES[op] : undefined;
  },
  // The attribute form first, the event form only when the attribute is absent (never both: MLflow #25718
  // showed each message twice).
  inputs(a, events) {
    if (has(a, "gen_ai.input.messages")) return jsonish(a["gen_ai.input.messages"]);
    if (has(a, "gen_ai.tool.call.arguments")) return jsonish(a["gen_ai.tool.call.arguments"]);
    const msgEvents = events.filter((e) => INPUT_EVENTS[e.name]);
    return msgEvents.length ? msgEvents.map((e) => eventMessage(e, INPUT_EVENTS[e.name])) : undefined;
  },
  outputs(a, events) {
    if (has(a, "gen_ai.output.messages")) return jsonish(a["gen_ai.output.messages"]);
    if (has(a, "gen_ai.tool.call.result")) return jsonish(a["gen_ai.tool.call.result"]);
    const choices = events.filter((e) => e.name === "gen_ai.choice");
    return choices.length ? { choices: choices.map(choiceMessage) } : undefined;
  },
  tokenUsage: (a) => tokenUsageOf(a, "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", null, ["gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_creation.input_tokens"]),
  modelKeys: ["gen_ai.response.model", "gen_ai.request.model"],
  providerKeys: ["gen_ai.provider.name", "gen_ai.system"],
  sessionKeys: ["session.id", "gen_ai.conversation.id"],
  userKeys: ["user.id"],
  chat(a: Attrs) {
    if (!has(a, "gen_ai.input.messages") && !has(a, "gen_ai.output.messages")) return null;
    const semIn = parseMaybeJson(a["gen_ai.input.messages"]);
    const semOut = parseMaybeJson(a["gen_ai.output.messages"]);
    if (!Array.isArray(semIn) && !Array.isArray(semOut)) return null;
    const input = (Array.isArray(semIn) && messagesFromList(semIn)) || [];
    const output = (Array.isArray(semOut) && messagesFromList(semOut)) || [];
    const sys = parseMaybeJson(a["gen_ai.system_instructions"]);
    if (sys !== undefined && !input.some((m) => m.role === "system")) {
      const t = contentToText(sys);
      if (t) input.unshift({ role: "system", content: t });
    }
    const merged = mergeConversation(input, output);
    return merged.length ? merged : null;
  },
  chatFromEvents,
};
