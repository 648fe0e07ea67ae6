// Encoders from the span model. Both return plain objects whose 64-bit integers (times, and int values
// beyond 2^53) are `bigint`: serialize them as bare JSON numbers, e.g. with lossless-json's `stringify`
// or `stringifyWithBigInts` below, never with JSON.stringify (it throws on bigint).
import type { NormalizedSpan, SpanStatusCode } from "./model";

const STATUS_PROTO: Record<SpanStatusCode, string> = { UNSET: "STATUS_CODE_UNSET", OK: "STATUS_CODE_OK", ERROR: "STATUS_CODE_ERROR" };

function hexToBase64(hex: string): string {
  return hex ? Buffer.from(hex, "hex").toString("base64") : "";
}

/** The OTel trace id (32 hex) of an MLflow trace id "tr-<hex>". */
export function otelTraceIdHex(traceId: string): string {
  const hex = traceId.startsWith("tr-") ? traceId.slice(3) : traceId;
  return /^[0-9a-fA-F]{32}$/.test(hex) ? hex.toLowerCase() : "";
}

type AnyValue =
  | { string_value: string }
  | { bool_value: boolean }
  | { int_value: number | bigint }
  | { double_value: number }
  | { array_value: { values: AnyValue[] } }
  | { kvlist_value: { values: { key: string; value: AnyValue }[] } };

/** Decoded value → typed AnyValue in protobuf-JSON (snake_case) form, as MLflow's Span.to_otel_proto. */
export function toAnyValue(v: unknown): AnyValue {
  if (typeof v === "string") return { string_value: v };
  if (typeof v === "boolean") return { bool_value: v };
  if (typeof v === "bigint") return { int_value: v };
  if (typeof v === "number") return Number.isInteger(v) ? { int_value: v } : { double_value: v };
  if (Array.isArray(v)) return { array_value: { values: v.map(toAnyValue) } };
  if (v && typeof v === "object") {
    return { kvlist_value: { values: Object.entries(v as Record<string, unknown>).map(([key, x]) => ({ key, value: toAnyValue(x) })) } };
  }
  return { string_value: v === null || v === undefined ? "null" : String(v) };
}

function keyValues(attrs: Record<string, unknown>) {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: toAnyValue(v) }));
}

/**
 * Format D (spec §3.7): opentelemetry.proto.trace.v1.Span in MLflow's protobuf-JSON rendering, used in
 * traces/get and traces/batchGet: snake_case keys, ids base64, enums by name, `start_time_unix_nano`,
 * `end_time_unix_nano` and event `time_unix_nano` as bigint (write them as bare numbers).
 */
export function toOtlpJsonSpan(span: NormalizedSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {
    trace_id: hexToBase64(otelTraceIdHex(span.traceId)),
    span_id: hexToBase64(span.spanId),
    trace_state: "",
    parent_span_id: span.parentSpanId ? hexToBase64(span.parentSpanId) : "",
    name: span.name,
    kind: span.kind ?? "SPAN_KIND_INTERNAL",
    start_time_unix_nano: span.startTimeNs,
    end_time_unix_nano: span.endTimeNs ?? 0n,
    attributes: keyValues(span.attributes),
    events: span.events.map((e) => ({ time_unix_nano: e.timeNs, name: e.name, attributes: keyValues(e.attributes) })),
    status: { code: STATUS_PROTO[span.status.code], message: span.status.message },
  };
  return out;
}

/**
 * Format A (spec §3.7), the traces.json span dict every MLflow 3.x client reads: ids base64 (the real OTel
 * trace id bytes), attribute values JSON-encoded as the Python SDK writes them, times as bigint.
 */
export function toSpanDictV3(span: NormalizedSpan): Record<string, unknown> {
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(span.attributes)) attributes[k] = JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "null";
  return {
    trace_id: hexToBase64(otelTraceIdHex(span.traceId)),
    span_id: hexToBase64(span.spanId),
    trace_state: "",
    parent_span_id: span.parentSpanId ? hexToBase64(span.parentSpanId) : "",
    name: span.name,
    start_time_unix_nano: span.startTimeNs,
    end_time_unix_nano: span.endTimeNs,
    attributes,
    status: { code: STATUS_PROTO[span.status.code], message: span.status.message },
    events: span.events.map((e) => ({ name: e.name, time_unix_nano: e.timeNs, attributes: e.attributes })),
  };
}

/** JSON text with bigint values written as bare integers (exact digits). */
export function stringifyWithBigInts(value: unknown): string {
  const marks: string[] = [];
  const tag = `\u0000${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(value, (_k, v) => {
    if (typeof v === "bigint") {
      marks.push(v.toString());
      return `${tag}${marks.length - 1}\u0000`;
    }
    return v;
  });
  const escapedTag = JSON.stringify(tag).slice(1, -1).replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
  return text.replace(new RegExp(`"${escapedTag}(\\d+)\\\\u0000"`, "g"), (_m, i) => marks[Number(i)]);
}
