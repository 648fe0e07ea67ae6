// The one span model every decoder produces and every encoder starts from (OTLP protobuf/JSON, the
// traces.json span dicts v2/v3/v4, OTLP JSON for traces/get). Nothing else parses span formats.

export type SpanStatusCode = "UNSET" | "OK" | "ERROR";

export interface SpanEvent {
  name: string;
  timeNs: bigint;
  /** decoded attribute values */
  attributes: Record<string, unknown>;
}

export interface NormalizedSpan {
  /** MLflow trace id: "tr-" + 32 lowercase hex (the OTel trace id) */
  traceId: string;
  /** 16 lowercase hex */
  spanId: string;
  /** 16 lowercase hex, null for a root span */
  parentSpanId: string | null;
  name: string;
  startTimeNs: bigint;
  /** null while the span has not ended */
  endTimeNs: bigint | null;
  status: { code: SpanStatusCode; message: string };
  /**
   * Attribute values decoded once: OTLP AnyValues to plain JS values, and every string through the
   * "try JSON.parse, else raw" rule (spec §3.7), so "\"LLM\"" and "LLM" both become "LLM".
   */
  attributes: Record<string, unknown>;
  events: SpanEvent[];
  /** OTel span kind name (SPAN_KIND_INTERNAL …), when known */
  kind?: string;
}

export type TraceState = "STATE_UNSPECIFIED" | "OK" | "ERROR" | "IN_PROGRESS";

export const TRACE_ID_PREFIX = "tr-";

export function mlflowTraceId(otelTraceIdHex: string): string {
  return TRACE_ID_PREFIX + otelTraceIdHex.toLowerCase();
}
