// Whether a span gets a Chat tab, and with which messages: the decision of the span detail view, kept here
// so it can be tested without a browser.
import { conventions } from "../conventions/conventions";
import { extractChatMessages, type ChatMessage } from "./messages";

// Retrievers, tools and the like get their {query}/documents read as a "conversation" by the generic
// extractor; for them the tab appears only when the span really carries role-tagged messages.
const NON_CHAT_TYPES = new Set(["RETRIEVER", "RERANKER", "EMBEDDING", "TOOL", "PARSER", "MEMORY"]);
// Only the head of a large payload is searched for a role key: enough to tell chat from documents.
const ROLE_SCAN_LIMIT = 100_000;
const ROLE_KEY = /"role"\s*:/;

export interface SpanChatSource {
  spanType: string | null;
  /** the stored JSON text of inputs / outputs (possibly cut) */
  inputsText: string | null;
  outputsText: string | null;
  /** the parsed values when the text was complete JSON, else undefined (the text is read instead) */
  inputs?: unknown;
  outputs?: unknown;
  attributes: Record<string, unknown>;
  events: unknown;
}

const roleTagged = (text: string | null) => !!text && ROLE_KEY.test(text.slice(0, ROLE_SCAN_LIMIT));

/** The messages for the Chat tab, or null when the span gets no Chat tab. */
export function spanChat(span: SpanChatSource): ChatMessage[] | null {
  // Messages a convention records in attributes or events are a conversation by definition.
  const byConvention = conventions.some((c) => c.chat?.(span.attributes) || c.chatFromEvents?.(span.events));
  const explicit = byConvention || roleTagged(span.inputsText) || roleTagged(span.outputsText);
  if (!explicit && NON_CHAT_TYPES.has((span.spanType ?? "").toUpperCase())) return null;
  try {
    const messages = extractChatMessages({
      inputs: span.inputs !== undefined ? span.inputs : (span.inputsText ?? undefined),
      outputs: span.outputs !== undefined ? span.outputs : (span.outputsText ?? undefined),
      attributes: span.attributes,
      events: span.events,
    });
    if (!messages || !messages.length) return null;
    // A lone message of a plain value ("hello", {question}) is a value dressed as chat, not a conversation;
    // a lone role-tagged message is one (an LLM call that failed before answering has only the user's).
    return explicit || messages.length > 1 || messages.some((m) => m.toolCalls?.length) ? messages : null;
  } catch {
    return null;
  }
}
