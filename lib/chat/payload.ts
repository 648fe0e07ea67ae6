// Chat payload shapes, independent of the tracing convention that carried them: OpenAI chat completions and
// Responses API, Anthropic messages, Gemini contents, GenAI semconv "parts", LangChain messages, and plain
// strings / {question: …} / {answer: …} objects, turned into one normalized message shape. The conventions
// (lib/conventions) say where on a span these payloads are found; this file says how to read them.
// Nothing here throws on odd input: unknown shapes give null.
// Over 400 lines: one reader per payload family (OpenAI, Anthropic, Gemini, LangChain, semconv parts) that
// call each other recursively; split apart they would need a cycle of imports.

export type ChatRole = "system" | "user" | "assistant" | "tool";

export interface ToolCall {
  id?: string;
  name: string;
  /** JSON text (objects are stringified) */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
  name?: string;
}


export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Span inputs/outputs are stored as JSON text; attribute values may be JSON text too. */
export function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!t || !"[{\"".includes(t[0])) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

const stringify = (v: unknown): string => {
  if (typeof v === "string") return v;
  if (v === undefined || v === null) return "";
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
};

export function normalizeRole(raw: unknown): ChatRole | null {
  if (typeof raw !== "string") return null;
  switch (raw.toLowerCase()) {
    case "system":
    case "developer":
      return "system";
    case "user":
    case "human":
    case "humanmessage":
    case "humanmessagechunk":
      return "user";
    case "assistant":
    case "ai":
    case "model":
    case "bot":
    case "aimessage":
    case "aimessagechunk":
      return "assistant";
    case "tool":
    case "function":
    case "ipython":
    case "toolmessage":
    case "functionmessage":
      return "tool";
    case "systemmessage":
      return "system";
    default:
      return null;
  }
}

/** Text of a content value: a string, or a list of parts (OpenAI, Anthropic, semconv, Gemini). */
export function contentToText(content: unknown): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const part of content) {
      const t = partText(part);
      if (t !== null && t !== "") texts.push(t);
    }
    return texts.join("\n");
  }
  if (isObj(content)) {
    const t = partText(content);
    if (t !== null) return t;
  }
  return stringify(content);
}

// Text of one content part; null for parts that are not text (tool calls, tool results are handled
// by the message parsers).
function partText(part: unknown): string | null {
  if (typeof part === "string") return part;
  if (!isObj(part)) return null;
  const type = typeof part.type === "string" ? part.type : undefined;
  switch (type) {
    case "text":
    case "input_text":
    case "output_text":
      return typeof part.text === "string" ? part.text : typeof part.content === "string" ? part.content : contentToText(part.text ?? part.content);
    case "refusal":
      return typeof part.refusal === "string" ? part.refusal : null;
    case "image_url":
    case "image":
    case "input_image":
      return "[image]";
    case "input_audio":
    case "audio":
      return "[audio]";
    case "file":
    case "input_file":
    case "document":
      return "[file]";
    case "blob":
    case "uri":
      return `[${typeof part.modality === "string" ? part.modality : "media"}]`;
    case "tool_use":
    case "tool_result":
    case "tool_call":
    case "tool_call_response":
    case "function_call":
    case "function_call_output":
    case "reasoning":
    case "thinking":
    case "redacted_thinking":
      return null;
  }
  if (typeof part.text === "string") return part.text; // Gemini {text}, untyped parts
  if (type === undefined && typeof part.content === "string") return part.content;
  if (part.functionCall || part.functionResponse || part.inlineData) return null;
  return null;
}

export function toolCallFrom(v: unknown): ToolCall | null {
  if (!isObj(v)) return null;
  // OpenAI {id, type:"function", function:{name, arguments}}
  if (isObj(v.function)) {
    const f = v.function;
    if (typeof f.name !== "string") return null;
    return { ...(typeof v.id === "string" ? { id: v.id } : {}), name: f.name, arguments: stringify(f.arguments ?? "") };
  }
  if (typeof v.name !== "string") return null;
  // LangChain {name, args, id}; semconv {type:"tool_call", id, name, arguments}; Anthropic tool_use {id, name, input};
  // Responses API {type:"function_call", call_id, name, arguments}
  const args = v.arguments ?? v.args ?? v.input ?? "";
  const id = typeof v.id === "string" ? v.id : typeof v.call_id === "string" ? v.call_id : undefined;
  return { ...(id ? { id } : {}), name: v.name, arguments: stringify(args) };
}

export function toolCallsFrom(v: unknown): ToolCall[] {
  if (!Array.isArray(v)) return [];
  return v.map(toolCallFrom).filter((x): x is ToolCall => x !== null);
}

export function withOptional(m: ChatMessage, extra: { toolCalls?: ToolCall[]; toolCallId?: unknown; name?: unknown }): ChatMessage {
  if (extra.toolCalls && extra.toolCalls.length) m.toolCalls = extra.toolCalls;
  if (typeof extra.toolCallId === "string" && extra.toolCallId) m.toolCallId = extra.toolCallId;
  if (typeof extra.name === "string" && extra.name) m.name = extra.name;
  return m;
}

/**
 * One message-like object → messages (Anthropic blocks and semconv parts may split one message into
 * an assistant message with tool calls plus tool results). null when the object is not a message.
 */
export function messagesFromMessageObject(m: Obj): ChatMessage[] | null {
  // LangChain serialized form {lc:1, type:"constructor", id:[…,"HumanMessage"], kwargs:{content,…}}
  if (m.lc !== undefined && Array.isArray(m.id) && isObj(m.kwargs)) {
    const role = normalizeRole(m.id[m.id.length - 1]);
    if (!role) return null;
    return messagesFromMessageObject({ ...m.kwargs, role });
  }
  let role = normalizeRole(m.role);
  // LangChain dict form {type:"human"|"ai"|…, content}
  if (!role && typeof m.type === "string" && m.type !== "message") role = normalizeRole(m.type);
  if (!role) return null;

  // OTel GenAI semconv: {role, parts:[…]}
  if (Array.isArray(m.parts)) return messagesFromParts(role, m.parts, m);

  const hasContent = "content" in m || "text" in m || "tool_calls" in m || "function_call" in m;
  if (!hasContent) return null;
  const content = m.content ?? m.text;

  const toolCalls = toolCallsFrom(m.tool_calls);
  if (isObj(m.function_call)) {
    const tc = toolCallFrom(m.function_call);
    if (tc) toolCalls.push(tc);
  }

  if (Array.isArray(content)) {
    // Anthropic blocks: tool_use (assistant) and tool_result (user) become tool calls and tool messages
    const out: ChatMessage[] = [];
    const texts: string[] = [];
    const results: ChatMessage[] = [];
    for (const block of content) {
      if (isObj(block) && (block.type === "tool_use" || block.type === "function_call")) {
        const tc = toolCallFrom(block);
        if (tc) toolCalls.push(tc);
      } else if (isObj(block) && (block.type === "tool_result" || block.type === "function_call_output")) {
        results.push(
          withOptional({ role: "tool", content: contentToText(block.content ?? block.output) }, { toolCallId: block.tool_use_id ?? block.call_id }),
        );
      } else {
        const t = partText(block);
        if (t) texts.push(t);
      }
    }
    if (texts.length || toolCalls.length || !results.length) {
      out.push(withOptional({ role, content: texts.join("\n") }, { toolCalls, toolCallId: m.tool_call_id, name: m.name }));
    }
    out.push(...results);
    return out;
  }

  return [withOptional({ role, content: contentToText(content) }, { toolCalls, toolCallId: m.tool_call_id ?? m.toolCallId, name: m.name })];
}

function messagesFromParts(role: ChatRole, parts: unknown[], m: Obj): ChatMessage[] {
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  const results: ChatMessage[] = [];
  for (const p of parts) {
    if (!isObj(p)) {
      if (typeof p === "string") texts.push(p);
      continue;
    }
    if (p.type === "tool_call") {
      const tc = toolCallFrom(p);
      if (tc) toolCalls.push(tc);
    } else if (p.type === "tool_call_response") {
      results.push(withOptional({ role: "tool", content: contentToText(p.response ?? p.result ?? p.content) }, { toolCallId: p.id }));
    } else if (isObj(p.functionCall)) {
      const tc = toolCallFrom({ name: p.functionCall.name, args: p.functionCall.args, id: p.functionCall.id });
      if (tc) toolCalls.push(tc);
    } else if (isObj(p.functionResponse)) {
      results.push(withOptional({ role: "tool", content: stringify(p.functionResponse.response) }, { name: p.functionResponse.name, toolCallId: p.functionResponse.id }));
    } else {
      const t = partText(p);
      if (t) texts.push(t);
    }
  }
  const out: ChatMessage[] = [];
  // a semconv "tool" message holds only tool_call_response parts
  if (role === "tool" && results.length && !texts.length) return results;
  if (texts.length || toolCalls.length || !results.length) out.push(withOptional({ role, content: texts.join("\n") }, { toolCalls, name: m.name }));
  out.push(...results);
  return out;
}

/** A list of messages / Responses API items. null when nothing in it is a message. */
export function messagesFromList(list: unknown[]): ChatMessage[] | null {
  const out: ChatMessage[] = [];
  let recognized = 0;
  for (const item of list) {
    if (!isObj(item)) continue;
    // Responses API items
    if (item.type === "function_call") {
      const tc = toolCallFrom(item);
      if (!tc) continue;
      recognized++;
      const prev = out[out.length - 1];
      if (prev && prev.role === "assistant" && !prev.toolCallId) (prev.toolCalls ??= []).push(tc);
      else out.push({ role: "assistant", content: "", toolCalls: [tc] });
      continue;
    }
    if (item.type === "function_call_output") {
      recognized++;
      out.push(withOptional({ role: "tool", content: contentToText(item.output) }, { toolCallId: item.call_id }));
      continue;
    }
    if (item.type === "reasoning") {
      recognized++;
      continue;
    }
    const ms = messagesFromMessageObject(item);
    if (ms) {
      recognized++;
      out.push(...ms);
    }
  }
  return recognized ? out : null;
}

// Keys of a plain request object holding the user's text, and of a plain response holding the answer.
const USER_TEXT_KEYS = ["question", "query", "input", "prompt", "user_input", "message", "user_message"];
const ANSWER_TEXT_KEYS = ["answer", "output", "response", "text", "output_text", "result", "completion", "content"];

/** Messages on the request side of a call. */
export function messagesFromRequest(raw: unknown, depth = 0): ChatMessage[] | null {
  const v = parseMaybeJson(raw);
  if (typeof v === "string") return v.trim() ? [{ role: "user", content: v }] : null;
  if (Array.isArray(v)) {
    // LangChain batch: [[messages]] → the first conversation
    if (v.length && Array.isArray(v[0])) return messagesFromList(v[0] as unknown[]);
    return messagesFromList(v);
  }
  if (!isObj(v) || depth > 3) return null;

  const system: ChatMessage[] = [];
  // Anthropic top-level system (string or blocks); Responses API instructions; Gemini systemInstruction
  if (v.system !== undefined && (typeof v.system === "string" || Array.isArray(v.system))) {
    const t = contentToText(v.system);
    if (t) system.push({ role: "system", content: t });
  }
  if (typeof v.instructions === "string" && v.instructions) system.push({ role: "system", content: v.instructions });
  const sysInstr = v.systemInstruction ?? v.system_instruction;
  if (isObj(sysInstr) || typeof sysInstr === "string") {
    const t = isObj(sysInstr) && Array.isArray(sysInstr.parts) ? contentToText(sysInstr.parts) : contentToText(sysInstr);
    if (t) system.push({ role: "system", content: t });
  }

  const withSystem = (ms: ChatMessage[] | null) => (ms ? [...system, ...ms] : system.length ? system : null);

  if (Array.isArray(v.messages)) {
    const list = v.messages.length && Array.isArray(v.messages[0]) ? (v.messages[0] as unknown[]) : v.messages;
    const ms = messagesFromList(list);
    if (ms) return withSystem(ms);
  }
  if (Array.isArray(v.contents)) {
    const ms = messagesFromList(v.contents);
    if (ms) return withSystem(ms);
  }
  if (Array.isArray(v.input)) {
    const ms = messagesFromList(v.input);
    if (ms) return withSystem(ms);
  }
  // a single message object
  const single = messagesFromMessageObject(v);
  if (single) return single;
  // plain text under a well-known key
  for (const k of USER_TEXT_KEYS) {
    const x = v[k];
    if (typeof x === "string" && x.trim()) return withSystem([{ role: "user", content: x }]);
  }
  // wrappers: {request: …}, {inputs: …}, {input: {…}}, {kwargs: …}
  for (const k of ["request", "inputs", "input", "kwargs", "data"]) {
    if (isObj(v[k]) || Array.isArray(v[k])) {
      const ms = messagesFromRequest(v[k], depth + 1);
      if (ms) return withSystem(ms);
    }
  }
  return system.length ? system : null;
}

/** Messages on the response side of a call. */
export function messagesFromResponse(raw: unknown, depth = 0): ChatMessage[] | null {
  const v = parseMaybeJson(raw);
  if (typeof v === "string") return v.trim() ? [{ role: "assistant", content: v }] : null;
  if (Array.isArray(v)) {
    if (v.length && Array.isArray(v[0])) return messagesFromResponse(v[0], depth + 1);
    // semconv output messages, Responses API output items, LangChain message list
    const ms = messagesFromList(v);
    if (ms) return ms;
    // a list of choices / generations
    if (v.length && isObj(v[0])) return messagesFromResponse(v[0], depth + 1);
    return null;
  }
  if (!isObj(v) || depth > 3) return null;

  // OpenAI chat completion (also streamed chunks aggregated by SDKs) and legacy completions
  if (Array.isArray(v.choices) && v.choices.length) {
    const c = v.choices[0];
    if (isObj(c)) {
      const msg = c.message ?? c.delta;
      if (isObj(msg)) {
        const ms = messagesFromMessageObject({ role: "assistant", ...msg });
        if (ms) return ms;
      }
      if (typeof c.text === "string") return [{ role: "assistant", content: c.text }];
    }
  }
  // OpenAI Responses API
  if (Array.isArray(v.output) && (v.object === "response" || v.output.some((x) => isObj(x) && typeof x.type === "string"))) {
    const ms = messagesFromList(v.output);
    if (ms && ms.length) return ms;
    if (typeof v.output_text === "string") return [{ role: "assistant", content: v.output_text }];
  }
  // Gemini
  if (Array.isArray(v.candidates) && v.candidates.length && isObj(v.candidates[0]) && isObj(v.candidates[0].content)) {
    const content = v.candidates[0].content as Obj;
    const ms = messagesFromMessageObject({ role: "model", ...content });
    if (ms) return ms;
  }
  // LangChain LLMResult {generations: [[{text, message}]]}
  if (Array.isArray(v.generations)) {
    const g = Array.isArray(v.generations[0]) ? v.generations[0][0] : v.generations[0];
    if (isObj(g)) {
      if (isObj(g.message)) {
        const ms = messagesFromMessageObject(g.message);
        if (ms) return ms;
      }
      if (typeof g.text === "string") return [{ role: "assistant", content: g.text }];
    }
  }
  // LangGraph / LangChain state {messages:[…]} (usually the whole history: deduplicated by the caller)
  if (Array.isArray(v.messages)) {
    const ms = messagesFromList(v.messages);
    if (ms) return ms;
  }
  // a single message: Anthropic {type:"message", role:"assistant", content:[…]}, {role, content}
  const single = messagesFromMessageObject(v);
  if (single) return single;
  if (isObj(v.message)) {
    const ms = messagesFromMessageObject({ role: "assistant", ...v.message });
    if (ms) return ms;
  }
  for (const k of ANSWER_TEXT_KEYS) {
    const x = v[k];
    if (typeof x === "string" && x.trim()) return [{ role: "assistant", content: x }];
  }
  for (const k of ["response", "output", "outputs", "result", "answer", "data"]) {
    if (isObj(v[k]) || Array.isArray(v[k])) {
      const ms = messagesFromResponse(v[k], depth + 1);
      if (ms) return ms;
    }
  }
  return null;
}
