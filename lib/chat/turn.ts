// One turn of a conversation = one trace: what the user said and what the assistant answered, plus the
// tools it called. Read from the root span first (what the app received and returned), then from the
// model calls inside (LLM / CHAT_MODEL spans), then from the trace's previews.
import { extractChatMessages, parseMaybeJson, type ChatMessage } from "./messages";
import { isModelSpanType, startOf } from "./preview";

export { displayPreview as previewText } from "./preview";

export interface TurnSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  spanType: string | null;
  startTimeNs?: bigint | string | number | null;
  statusCode?: string | null;
  statusMessage?: string | null;
  inputs: unknown;
  outputs: unknown;
  attributes?: Record<string, unknown>;
  events?: unknown;
}

export interface TurnToolCall {
  name: string;
  /** JSON text, cut to a readable length */
  arguments: string;
  result?: string;
  error?: string;
  spanId?: string;
}

export interface ChatTurn {
  user: string | null;
  assistant: string | null;
  toolCalls: TurnToolCall[];
  /** where the text came from, for the UI's hint */
  source: "root" | "llm" | "preview" | null;
}

export interface TurnSource {
  rootSpan?: TurnSpan | null;
  /** other spans of the trace worth reading: LLM / CHAT_MODEL (messages) and TOOL (tool calls) */
  spans?: TurnSpan[];
  requestPreview?: string | null;
  responsePreview?: string | null;
}

export const TOOL_TEXT_LIMIT = 500;

function clip(s: string, n = TOOL_TEXT_LIMIT): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

function asText(v: unknown): string {
  const p = parseMaybeJson(v);
  if (p === null || p === undefined) return "";
  return typeof p === "string" ? p : JSON.stringify(p);
}

const hasText = (m: ChatMessage) => m.content.trim().length > 0;

/** The last user message, and the last assistant answer with text after it (else the last one at all). */
export function userAndAnswer(messages: ChatMessage[] | null): { user: ChatMessage | null; assistant: ChatMessage | null; userIndex: number } {
  if (!messages) return { user: null, assistant: null, userIndex: -1 };
  let u = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === "user" && hasText(messages[i])) {
      u = i;
      break;
    }
  }
  let a: ChatMessage | null = null;
  for (let i = messages.length - 1; i > u; i--) {
    if (messages[i].role === "assistant" && hasText(messages[i])) {
      a = messages[i];
      break;
    }
  }
  return { user: u >= 0 ? messages[u] : null, assistant: a, userIndex: u };
}

function toolCallsFromMessages(messages: ChatMessage[], from: number): TurnToolCall[] {
  const results = new Map<string, string>();
  for (const m of messages) if (m.role === "tool" && m.toolCallId) results.set(m.toolCallId, m.content);
  const out: TurnToolCall[] = [];
  for (let i = Math.max(0, from); i < messages.length; i++) {
    for (const tc of messages[i].toolCalls ?? []) {
      const result = tc.id ? results.get(tc.id) : undefined;
      out.push({ name: tc.name, arguments: clip(tc.arguments), ...(result !== undefined ? { result: clip(result) } : {}) });
    }
  }
  return out;
}

export function turnFromTrace({ rootSpan, spans = [], requestPreview, responsePreview }: TurnSource): ChatTurn {
  let user: string | null = null;
  let assistant: string | null = null;
  let source: ChatTurn["source"] = null;
  let messageToolCalls: TurnToolCall[] = [];

  if (rootSpan) {
    const ms = extractChatMessages({ inputs: rootSpan.inputs, outputs: rootSpan.outputs, attributes: rootSpan.attributes, events: rootSpan.events });
    const ua = userAndAnswer(ms);
    if (ua.user) user = ua.user.content;
    if (ua.assistant) assistant = ua.assistant.content;
    if (user || assistant) source = "root";
    if (ms) messageToolCalls = toolCallsFromMessages(ms, ua.userIndex);
  }

  const ordered = [...spans].sort((a, b) => (startOf(a) < startOf(b) ? -1 : startOf(a) > startOf(b) ? 1 : 0));
  const modelSpans = ordered.filter((s) => isModelSpanType(s.spanType) && s.spanId !== rootSpan?.spanId);
  if ((user === null || assistant === null) && modelSpans.length) {
    // the first model call holds the user's message; the last one produced the answer
    if (user === null) {
      for (const s of modelSpans) {
        const ua = userAndAnswer(extractChatMessages({ inputs: s.inputs, outputs: s.outputs, attributes: s.attributes, events: s.events }));
        if (ua.user) {
          user = ua.user.content;
          source ??= "llm";
          break;
        }
      }
    }
    if (assistant === null) {
      for (let i = modelSpans.length - 1; i >= 0; i--) {
        const s = modelSpans[i];
        const ms = extractChatMessages({ inputs: s.inputs, outputs: s.outputs, attributes: s.attributes, events: s.events });
        const ua = userAndAnswer(ms);
        if (ua.assistant) {
          assistant = ua.assistant.content;
          source ??= "llm";
          if (!messageToolCalls.length && ms) messageToolCalls = toolCallsFromMessages(ms, ua.userIndex);
          break;
        }
      }
    }
  }

  if (user === null || assistant === null) {
    const pv = extractChatMessages({ inputs: requestPreview ?? undefined, outputs: responsePreview ?? undefined });
    const ua = userAndAnswer(pv);
    if (user === null && ua.user) {
      user = ua.user.content;
      source ??= "preview";
    }
    if (assistant === null && ua.assistant) {
      assistant = ua.assistant.content;
      source ??= "preview";
    }
  }

  const toolSpans = ordered.filter((s) => s.spanType === "TOOL");
  const toolCalls: TurnToolCall[] = toolSpans.length
    ? toolSpans.map((s) => ({
        name: s.name,
        arguments: clip(asText(s.inputs)),
        ...(s.outputs !== null && s.outputs !== undefined ? { result: clip(asText(s.outputs)) } : {}),
        ...(s.statusCode === "ERROR" ? { error: s.statusMessage || "error" } : {}),
        spanId: s.spanId,
      }))
    : messageToolCalls;

  return { user, assistant, toolCalls, source };
}
