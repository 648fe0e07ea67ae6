// What one tracing convention contributes. A mapper reads the attributes / events its convention defines and
// returns normalized pieces (MLflow span type, inputs, outputs, token usage, model, provider, session, user,
// chat messages); a piece it does not know stays undefined so the next convention in `conventions` (the one
// ordered list) is asked. Ingest (lib/tracing/derive.ts) and display (lib/chat/messages.ts) read the same list.
// Mappers run on the ingest hot path: each tests a cheap key presence before it parses anything.
import type { ChatMessage } from "../chat/payload";
import type { Attrs, SpanEvent } from "./attrs";

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  /** of input_tokens, read from / written to the provider's prompt cache (the keys MLflow's newer clients
   * send); present only when the convention reports them, so they are priced at the cache rates */
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

/** Messages recorded on the request side and on the response side of a call. */
export interface ChatPieces {
  input: ChatMessage[];
  output: ChatMessage[];
}

export interface Convention {
  readonly name: string;
  /** an MLflow span type (LLM, CHAT_MODEL, TOOL, …) */
  spanType?(a: Attrs): string | undefined;
  /** the span's inputs as MLflow stores them in mlflow.spanInputs */
  inputs?(a: Attrs, events: readonly SpanEvent[]): unknown;
  outputs?(a: Attrs, events: readonly SpanEvent[]): unknown;
  tokenUsage?(a: Attrs): TokenUsage | undefined;
  /** attribute keys holding the model / provider name, best first */
  readonly modelKeys?: readonly string[];
  readonly providerKeys?: readonly string[];
  /** attribute keys holding the session (conversation) id / the end user id, best first */
  readonly sessionKeys?: readonly string[];
  readonly userKeys?: readonly string[];
  /** display: the whole conversation as recorded in attributes; it wins over the span's inputs/outputs */
  chat?(a: Attrs): ChatMessage[] | null;
  /** display: messages carried in span events; they fill a side the inputs/outputs say nothing about */
  chatFromEvents?(events: unknown): ChatPieces | null;
}
