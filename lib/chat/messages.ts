// The chat messages of one span, for the span Chat tab and the session transcript: a conversation a
// convention records in attributes wins (lib/conventions, in its priority order); else the span's inputs and
// outputs are read as chat payloads (./payload), with messages from span events filling a side they leave
// empty. Nothing here throws on odd input: unknown shapes give null.
import { conventions } from "../conventions/conventions";
import { mergeConversation } from "./mergeConversation";
import { isObj, messagesFromRequest, messagesFromResponse, type ChatMessage, type Obj } from "./payload";

export type { ChatMessage, ChatRole, ToolCall } from "./payload";
export { contentToText, parseMaybeJson } from "./payload";
export { mergeConversation };

export interface ChatSource {
  inputs: unknown;
  outputs: unknown;
  attributes?: Record<string, unknown>;
  /** span events ({name, attributes}); GenAI semconv may carry the messages there */
  events?: unknown;
}

/** The chat messages of one span (or call), or null when nothing chat-like is found. */
export function extractChatMessages({ inputs, outputs, attributes, events }: ChatSource): ChatMessage[] | null {
  const attrs: Obj = isObj(attributes) ? attributes : {};
  for (const c of conventions) {
    const ms = c.chat?.(attrs);
    if (ms) return ms;
  }

  const rawIn = inputs ?? attrs["mlflow.spanInputs"];
  const rawOut = outputs ?? attrs["mlflow.spanOutputs"];
  let input = messagesFromRequest(rawIn) ?? [];
  let output = messagesFromResponse(rawOut) ?? [];
  // spans whose I/O only repeat what the events say (or hold nothing chat-like) read from the events
  if (!input.length || !output.length) {
    for (const c of conventions) {
      const fromEvents = c.chatFromEvents?.(events);
      if (!fromEvents) continue;
      if (!input.length) input = fromEvents.input;
      if (!output.length) output = fromEvents.output;
      break;
    }
  }
  const merged = mergeConversation(input, output);
  return merged.length ? merged : null;
}
