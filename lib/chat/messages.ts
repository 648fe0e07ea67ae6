// Chat messages out of whatever a span recorded: OpenAI chat completions and Responses API, Anthropic
// messages, Gemini contents, OTel GenAI semconv (attributes, parts, span events), OpenInference and
// Traceloop flattened attributes, LangChain messages, MLflow's legacy `mlflow.chat.messages`, and plain
// strings / {question: …} / {answer: …} objects. One normalized shape for the span Chat tab and the
// session transcript. Nothing here throws on odd input: unknown shapes give null.

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

export interface ChatSource {
  inputs: unknown;
  outputs: unknown;
  attributes?: Record<string, unknown>;
  /** span events ({name, attributes}); GenAI semconv may carry the messages there */
  events?: unknown;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

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

function normalizeRole(raw: unknown): ChatRole | null {
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

function toolCallFrom(v: unknown): ToolCall | null {
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

function toolCallsFrom(v: unknown): ToolCall[] {
  if (!Array.isArray(v)) return [];
  return v.map(toolCallFrom).filter((x): x is ToolCall => x !== null);
}

function withOptional(m: ChatMessage, extra: { toolCalls?: ToolCall[]; toolCallId?: unknown; name?: unknown }): ChatMessage {
  if (extra.toolCalls && extra.toolCalls.length) m.toolCalls = extra.toolCalls;
  if (typeof extra.toolCallId === "string" && extra.toolCallId) m.toolCallId = extra.toolCallId;
  if (typeof extra.name === "string" && extra.name) m.name = extra.name;
  return m;
}

/**
 * One message-like object → messages (Anthropic blocks and semconv parts may split one message into
 * an assistant message with tool calls plus tool results). null when the object is not a message.
 */
function messagesFromMessageObject(m: Obj): ChatMessage[] | null {
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
function messagesFromList(list: unknown[]): ChatMessage[] | null {
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
function messagesFromRequest(raw: unknown, depth = 0): ChatMessage[] | null {
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
function messagesFromResponse(raw: unknown, depth = 0): ChatMessage[] | null {
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

// OpenInference (llm.input_messages.0.message.role) and Traceloop (gen_ai.prompt.0.role) flatten
// messages into indexed attribute keys.
function flattenedMessages(attrs: Obj, prefix: string, inner: string): ChatMessage[] | null {
  const byIndex = new Map<number, Obj>();
  for (const [k, val] of Object.entries(attrs)) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    const m = /^(\d+)\.(.+)$/.exec(rest);
    if (!m) continue;
    let field = m[2];
    if (inner && field.startsWith(inner)) field = field.slice(inner.length);
    const entry = byIndex.get(Number(m[1])) ?? {};
    entry[field] = val;
    byIndex.set(Number(m[1]), entry);
  }
  if (!byIndex.size) return null;
  const out: ChatMessage[] = [];
  for (const idx of [...byIndex.keys()].sort((a, b) => a - b)) {
    const e = byIndex.get(idx)!;
    const role = normalizeRole(e.role);
    if (!role) continue;
    // tool calls: tool_calls.0.tool_call.function.name (OpenInference) / tool_calls.0.name (Traceloop)
    const calls = new Map<number, Obj>();
    for (const [f, val] of Object.entries(e)) {
      const tm = /^tool_calls\.(\d+)\.(?:tool_call\.)?(?:function\.)?(name|arguments|id)$/.exec(f);
      if (!tm) continue;
      const c = calls.get(Number(tm[1])) ?? {};
      c[tm[2]] = val;
      calls.set(Number(tm[1]), c);
    }
    const toolCalls = [...calls.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, c]) => toolCallFrom(c))
      .filter((x): x is ToolCall => x !== null);
    out.push(withOptional({ role, content: contentToText(e.content) }, { toolCalls, toolCallId: e.tool_call_id, name: e.name }));
  }
  return out.length ? out : null;
}

interface EventLike {
  name: string;
  attributes: Obj;
}

function eventsList(events: unknown): EventLike[] {
  const v = parseMaybeJson(events);
  if (!Array.isArray(v)) return [];
  return v.filter((e): e is Obj => isObj(e) && typeof e.name === "string").map((e) => ({ name: e.name as string, attributes: isObj(e.attributes) ? e.attributes : isObj(e.body) ? e.body : {} }));
}

// GenAI semconv (pre-1.37) carried messages in span events; MLflow ignored them (mlflow#23063).
function messagesFromEvents(events: unknown): { input: ChatMessage[]; output: ChatMessage[] } | null {
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

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  if (a.role !== b.role || a.content.trim() !== b.content.trim()) return false;
  if ((a.toolCallId ?? "") !== (b.toolCallId ?? "")) return false;
  const ta = a.toolCalls ?? [];
  const tb = b.toolCalls ?? [];
  return ta.length === tb.length && ta.every((t, i) => t.name === tb[i].name);
}

/**
 * Input then output, without showing twice what the output repeats of the input (mlflow#25718: agent
 * frameworks return the whole history, translators re-emit the input).
 */
export function mergeConversation(input: ChatMessage[], output: ChatMessage[]): ChatMessage[] {
  if (!output.length) return input;
  if (!input.length) return output;
  // the output contains the whole input, in order: it is the full history
  for (let start = 0; start + input.length <= output.length; start++) {
    if (input.every((m, i) => sameMessage(m, output[start + i]))) return output;
  }
  // the output starts with the end of the input
  for (let k = Math.min(input.length, output.length); k > 0; k--) {
    let ok = true;
    for (let i = 0; i < k && ok; i++) ok = sameMessage(input[input.length - k + i], output[i]);
    if (ok) return [...input, ...output.slice(k)];
  }
  return [...input, ...output];
}

/** The chat messages of one span (or call), or null when nothing chat-like is found. */
export function extractChatMessages({ inputs, outputs, attributes, events }: ChatSource): ChatMessage[] | null {
  const attrs: Obj = isObj(attributes) ? attributes : {};

  // legacy MLflow (< 3.3): the normalized conversation, input and output together
  const legacy = parseMaybeJson(attrs["mlflow.chat.messages"]);
  if (Array.isArray(legacy)) {
    const ms = messagesFromList(legacy);
    if (ms && ms.length) return ms;
  }

  // OTel GenAI semconv ≥ 1.37 attributes
  const semIn = parseMaybeJson(attrs["gen_ai.input.messages"]);
  const semOut = parseMaybeJson(attrs["gen_ai.output.messages"]);
  if (Array.isArray(semIn) || Array.isArray(semOut)) {
    const input = (Array.isArray(semIn) && messagesFromList(semIn)) || [];
    const output = (Array.isArray(semOut) && messagesFromList(semOut)) || [];
    const sys = parseMaybeJson(attrs["gen_ai.system_instructions"]);
    if (sys !== undefined && !input.some((m) => m.role === "system")) {
      const t = contentToText(sys);
      if (t) input.unshift({ role: "system", content: t });
    }
    const merged = mergeConversation(input, output);
    if (merged.length) return merged;
  }

  // flattened conventions
  const oiIn = flattenedMessages(attrs, "llm.input_messages.", "message.");
  const oiOut = flattenedMessages(attrs, "llm.output_messages.", "message.");
  if (oiIn || oiOut) return mergeConversation(oiIn ?? [], oiOut ?? []);
  const tlIn = flattenedMessages(attrs, "gen_ai.prompt.", "");
  const tlOut = flattenedMessages(attrs, "gen_ai.completion.", "");
  if (tlIn || tlOut) return mergeConversation(tlIn ?? [], tlOut ?? []);

  const fromEvents = messagesFromEvents(events);

  const rawIn = inputs ?? attrs["mlflow.spanInputs"];
  const rawOut = outputs ?? attrs["mlflow.spanOutputs"];
  let input = messagesFromRequest(rawIn) ?? [];
  let output = messagesFromResponse(rawOut) ?? [];
  // spans whose I/O only repeat what the events say (or hold nothing chat-like) read from the events
  if (fromEvents) {
    if (!input.length) input = fromEvents.input;
    if (!output.length) output = fromEvents.output;
  }
  const merged = mergeConversation(input, output);
  return merged.length ? merged : null;
}

/** The last message of a role with text (or tool calls), used for previews and turns. */
export function lastMessage(messages: ChatMessage[] | null, role: ChatRole): ChatMessage | null {
  if (!messages) return null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === role && (m.content.trim() || m.toolCalls?.length)) return m;
  }
  return null;
}
