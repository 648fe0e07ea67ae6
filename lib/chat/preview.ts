// The one preview rule (spec §3.5): the request preview is the conversation's last user message, the response
// preview the assistant's answer; a value that holds no role-tagged messages is shown as its JSON text, as
// MLflow stores it. Used at ingest (stored trace previews, through previewOf / tracePreviews), and by the
// traces table and the session list (displayPreview over a stored preview). Session turns (turn.ts) walk the
// spans in the same order (root, first model call for the user, last one for the answer) but skip a root
// whose values hold no chat, since a transcript shows the conversation, not the app's raw inputs.
// Cheap on purpose: it walks already-decoded values, never re-parses a payload at ingest.
import { isObj, parseMaybeJson, type Obj } from "./payload";

export const PREVIEW_MAX = 1000;

export type PreviewRole = "user" | "assistant";

export function truncatePreview(s: string, max = PREVIEW_MAX): string {
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}

// A chat message: OpenAI-style {role, content} or GenAI semconv {role, parts}.
function isMessage(m: unknown): m is Obj & { role: unknown } {
  return isObj(m) && "role" in m && ("content" in m || Array.isArray(m.parts));
}

/** The first text of a content value: a string, or the first text part (OpenAI, Anthropic, semconv parts). */
function contentText(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  for (const part of content) {
    if (typeof part === "string") return part;
    if (isObj(part)) {
      if ((part.type === "text" || part.type === "output_text" || part.type === "input_text") && typeof part.text === "string") return part.text;
      if (typeof part.content === "string" && (part.type === "text" || part.type === undefined)) return part.content;
    }
  }
  return undefined;
}

function messageText(m: Obj): string | undefined {
  const content = "content" in m ? m.content : m.parts;
  return contentText(content) ?? (content === undefined ? undefined : JSON.stringify(content));
}

function pickMessage(list: unknown[], role: PreviewRole): string | undefined {
  const msgs = list.filter(isMessage);
  if (!msgs.length) return undefined;
  const withRole = msgs.filter((m) => m.role === role);
  const from = withRole.length ? withRole : msgs;
  return messageText(from[from.length - 1]);
}

/**
 * The text of the role-tagged conversation in a value (a message list, {messages}, {choices}, {input},
 * {request: …}); undefined when the value holds no messages. Plain objects like {question} are not chat.
 */
export function conversationText(value: unknown, role: PreviewRole, depth = 0): string | undefined {
  if (depth > 3 || !value || typeof value !== "object") return undefined;
  if (Array.isArray(value)) return pickMessage(value, role);
  const o = value as Obj;
  if (Array.isArray(o.messages)) {
    const t = pickMessage(o.messages, role);
    if (t !== undefined) return t;
  }
  if (Array.isArray(o.choices) && o.choices.length) {
    const first = o.choices[0];
    if (isObj(first) && isMessage(first.message)) return messageText(first.message);
  }
  for (const k of ["input", "output"]) {
    if (Array.isArray(o[k])) {
      const t = pickMessage(o[k] as unknown[], role);
      if (t !== undefined) return t;
    }
  }
  if (o.request) return conversationText(o.request, role, depth + 1);
  return undefined;
}

/** §3.5: the stored preview of a span's inputs ("user") or outputs ("assistant"). */
export function previewOf(value: unknown, role: PreviewRole): string | null {
  if (value === undefined) return null;
  const text = conversationText(value, role) ?? (typeof value === "string" ? value : JSON.stringify(value));
  return text === undefined ? null : truncatePreview(text);
}

// Keys of a plain object preview ({"question": "…"}) that hold its text, the side's own keys first.
const REQUEST_KEYS = ["question", "query", "input", "prompt", "user_input", "message", "user_message", "text", "content", "answer", "output", "response", "result"];
const RESPONSE_KEYS = ["answer", "output", "response", "text", "output_text", "result", "completion", "content", "question", "query", "input", "prompt", "message"];

/**
 * A stored preview as people read it: the conversation's text when the preview is chat JSON (previews
 * stored before this rule, or set by an MLflow client, are the raw JSON of the inputs), the text of a
 * small {"question": "…"} object, a JSON string unquoted, else the preview as is (a cut JSON stays raw).
 */
export function displayPreview(preview: string | null | undefined, side: "request" | "response" = "request"): string | null {
  if (!preview) return null;
  const v = parseMaybeJson(preview);
  if (typeof v === "string") return v;
  const role: PreviewRole = side === "request" ? "user" : "assistant";
  const chat = conversationText(v, role);
  if (chat !== undefined) return chat;
  if (isObj(v)) {
    const k = (side === "request" ? REQUEST_KEYS : RESPONSE_KEYS).find((key) => typeof v[key] === "string");
    if (k) return v[k] as string;
  }
  return preview;
}

// ---------------------------------------------------------------- previews of a whole trace

const MODEL_SPAN_TYPES = new Set(["LLM", "CHAT_MODEL"]);

/** Model calls: the spans whose messages hold what the user said and what the model answered. */
export const isModelSpanType = (t: string | null | undefined): boolean => !!t && MODEL_SPAN_TYPES.has(t);

export interface PreviewSpan {
  parentSpanId: string | null;
  spanType?: string | null;
  startTimeNs?: bigint | string | number | null;
  /** decoded values, undefined when absent (display parses stored JSON text first: ingest never re-parses) */
  inputs: unknown;
  outputs: unknown;
}

/** What one span offers for its trace's previews; a lower rank wins. */
export interface PreviewCandidate {
  /** 0: the root span's own inputs/outputs; 1: a model call's messages */
  rank: 0 | 1;
  startTimeNs: bigint;
  request: string | null;
  response: string | null;
}

export interface TracePreviews {
  request: string | null;
  response: string | null;
}

export function startOf(s: Pick<PreviewSpan, "startTimeNs">): bigint {
  try {
    return s.startTimeNs === null || s.startTimeNs === undefined ? 0n : BigInt(s.startTimeNs);
  } catch {
    return 0n;
  }
}

/**
 * The root span offers its own inputs/outputs (whatever they are: MLflow stores the root's inputs as the
 * preview); an LLM / CHAT_MODEL span offers its messages' text only. Other spans offer nothing (null).
 */
export function previewCandidate(span: PreviewSpan): PreviewCandidate | null {
  if (span.parentSpanId === null) {
    const request = previewOf(span.inputs, "user");
    const response = previewOf(span.outputs, "assistant");
    return { rank: 0, startTimeNs: startOf(span), request, response };
  }
  if (!isModelSpanType(span.spanType)) return null;
  const req = conversationText(span.inputs, "user");
  const res = conversationText(span.outputs, "assistant");
  if (req === undefined && res === undefined) return null;
  return { rank: 1, startTimeNs: startOf(span), request: req === undefined ? null : truncatePreview(req), response: res === undefined ? null : truncatePreview(res) };
}

/**
 * The winning candidates (of one trace, possibly gathered over several ingest batches): the root's own
 * value, else the first model call's user message and the last model call's answer. The write step reads
 * their rank: a root's preview replaces a stored one, a model call's only fills an empty one.
 */
export function bestPreviewCandidates(candidates: Iterable<PreviewCandidate | null>): { request: PreviewCandidate | null; response: PreviewCandidate | null } {
  let request: PreviewCandidate | null = null;
  let response: PreviewCandidate | null = null;
  for (const c of candidates) {
    if (!c) continue;
    if (c.request !== null && (!request || c.rank < request.rank || (c.rank === request.rank && c.startTimeNs < request.startTimeNs))) request = c;
    if (c.response !== null && (!response || c.rank < response.rank || (c.rank === response.rank && c.startTimeNs > response.startTimeNs))) response = c;
  }
  return { request, response };
}

export function bestPreviews(candidates: Iterable<PreviewCandidate | null>): TracePreviews {
  const best = bestPreviewCandidates(candidates);
  return { request: best.request?.request ?? null, response: best.response?.response ?? null };
}

/** The request and response previews of a trace from its spans (the root, else its model calls). */
export function tracePreviews(spans: Iterable<PreviewSpan>): TracePreviews {
  const candidates: (PreviewCandidate | null)[] = [];
  for (const s of spans) candidates.push(previewCandidate(s));
  return bestPreviews(candidates);
}
