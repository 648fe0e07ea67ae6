// OTLP/HTTP trace bodies (protobuf and JSON) → NormalizedSpan[]. Spans that cannot be stored are counted as
// rejected with a message, so one bad span never fails a whole batch (partial_success); a body that cannot
// be decoded at all throws ApiError (400, or 415 for a content type we do not speak).
//
// A span is rejected on its own when (checked where the values are read, no extra pass):
//   - its trace id is not 16 bytes / span id not 8 bytes (or all zero), or its parent id is malformed;
//   - its start time is missing (0), unparsable (OTLP/JSON "abc", "1.5", -1, null) or not below 2^63 ns
//     (PostgreSQL bigint); its end time or an event time is unparsable or not below 2^63 (an absent or 0 end
//     time is a span still running; an end before the start is stored as sent, it is representable);
//   - an attribute or event value nests deeper than MAX_VALUE_DEPTH (values.ts), which every reader could
//     not render again.
// A protobuf body whose messages nest past protobufjs's recursion limit is decoded span by span (spans kept
// as bytes, then each decoded on its own), so only the span that nests too deep is lost.
// Over 400 lines: both encodings' decoders and the encoder the tests and benchmarks use, next to each other so
// that a rule (ids, times, depth) reads the same in each.
import protobuf from "protobufjs";
import { ApiError } from "../errors";
import { mlflowTraceId, type NormalizedSpan, type SpanEvent, type SpanStatusCode } from "./model";
import { COMMON_PROTO, RESOURCE_PROTO, TRACE_PROTO, TRACE_SERVICE_PROTO } from "./proto/otlp-proto";
import { jsonKeyValues, MAX_VALUE_DEPTH, pbKeyValues, takeTooDeep, toBigInt, type PbKeyValue } from "./values";

export const TRACE_REQUEST_ID_ATTR = "mlflow.traceRequestId";

let types: { request: protobuf.Type; response: protobuf.Type; lazyRequest: protobuf.Type; span: protobuf.Type } | undefined;

// protobufjs refuses messages nested deeper than its recursion limit (default 100, protoc's). An AnyValue
// level costs 2 (array) or 3 (kvlist) message levels below Request/ResourceSpans/ScopeSpans/Span/Event/
// KeyValue, so 100 stopped values at ~30 levels, below MAX_VALUE_DEPTH, failing the whole request. 256 lets
// every value up to MAX_VALUE_DEPTH decode (kvlist: 7 + 3 × 64 < 256) so our own check rejects the span.
const PROTOBUF_RECURSION_LIMIT = Math.max(256, 8 + 3 * MAX_VALUE_DEPTH);

function otlpTypes() {
  if (!types) {
    protobuf.util.recursionLimit = Math.max(protobuf.util.recursionLimit, PROTOBUF_RECURSION_LIMIT);
    (protobuf.Reader as unknown as { recursionLimit: number }).recursionLimit = Math.max((protobuf.Reader as unknown as { recursionLimit: number }).recursionLimit ?? 0, PROTOBUF_RECURSION_LIMIT);
    const root = new protobuf.Root();
    for (const text of [COMMON_PROTO, RESOURCE_PROTO, TRACE_PROTO, TRACE_SERVICE_PROTO]) protobuf.parse(text, root);
    root.resolveAll();
    // The same request with each span left as its bytes: the fallback that decodes span by span.
    const lazy = new protobuf.Root();
    for (const text of [COMMON_PROTO, RESOURCE_PROTO, TRACE_PROTO.replace("repeated Span spans = 2;", "repeated bytes spans = 2;"), TRACE_SERVICE_PROTO]) protobuf.parse(text, lazy);
    lazy.resolveAll();
    types = {
      request: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest"),
      response: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse"),
      lazyRequest: lazy.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest"),
      span: root.lookupType("opentelemetry.proto.trace.v1.Span"),
    };
  }
  return types;
}

export type OtlpEncoding = "protobuf" | "json";

/** Which OTLP encoding a Content-Type names, or null when it is neither. */
export function otlpEncodingOf(contentType: string | null | undefined): OtlpEncoding | null {
  const ct = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (ct === "application/x-protobuf" || ct === "application/protobuf" || ct === "application/vnd.google.protobuf") return "protobuf";
  if (ct === "application/json" || ct.endsWith("+json")) return "json";
  return null;
}

export interface OtlpDecodeResult {
  spans: NormalizedSpan[];
  rejected: number;
  errors: string[];
  /** resource attributes (decoded) of each span, by index into `spans`; not stored, but available to callers */
  resourceAttributes: Record<string, unknown>[];
}

const SPAN_KINDS = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"];

function statusCodeOf(code: unknown): SpanStatusCode {
  if (code === 1 || code === "STATUS_CODE_OK" || code === "OK" || code === "1") return "OK";
  if (code === 2 || code === "STATUS_CODE_ERROR" || code === "ERROR" || code === "2") return "ERROR";
  return "UNSET";
}

function kindOf(kind: unknown): string | undefined {
  if (typeof kind === "number") return kind > 0 && kind < SPAN_KINDS.length ? SPAN_KINDS[kind] : undefined;
  if (typeof kind === "string") {
    if (/^\d+$/.test(kind)) return kindOf(Number(kind));
    const k = kind.startsWith("SPAN_KIND_") ? kind : `SPAN_KIND_${kind.toUpperCase()}`;
    return SPAN_KINDS.includes(k) && k !== "SPAN_KIND_UNSPECIFIED" ? k : undefined;
  }
  return undefined;
}

const ZERO_TRACE = "00000000000000000000000000000000";
const ZERO_SPAN = "0000000000000000";

class Rejections {
  count = 0;
  errors: string[] = [];
  add(msg: string) {
    this.count++;
    if (this.errors.length < 10) this.errors.push(msg);
  }
}

function finishSpan(span: NormalizedSpan) {
  if (span.attributes[TRACE_REQUEST_ID_ATTR] === undefined) span.attributes[TRACE_REQUEST_ID_ATTR] = span.traceId;
}

/** Times are stored in PostgreSQL bigint columns: epoch ns below 2^63. */
const MAX_TIME_NS = 1n << 63n;
/** What the time readers below return for a value that is present but not a storable time. */
const BAD_TIME = -1n;

function tooDeepMessage(name: string, key: string): string {
  return `span '${name}': attribute${key ? ` '${key}'` : ""} nests deeper than ${MAX_VALUE_DEPTH} levels (the limit for attribute and event values)`;
}

// ---------------------------------------------------------------- protobuf

interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: unknown;
  endTimeUnixNano: unknown;
  attributes: PbKeyValue[];
  events: { timeUnixNano: unknown; name: string; attributes: PbKeyValue[] }[];
  status?: { code?: number; message?: string } | null;
}
interface PbRequest {
  resourceSpans: { resource?: { attributes: PbKeyValue[] } | null; scopeSpans: { spans: PbSpan[] }[] }[];
}

function hexOf(b: Uint8Array | undefined | null): string {
  if (!b || b.length === 0) return "";
  return Buffer.isBuffer(b) ? b.toString("hex") : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/** fixed64 ns (protobufjs Long or number) → bigint; BAD_TIME at or beyond 2^63. */
function pbTime(v: unknown): bigint {
  const t = toBigInt(v);
  return t >= MAX_TIME_NS || t < 0n ? BAD_TIME : t;
}

interface Sink {
  rej: Rejections;
  spans: NormalizedSpan[];
  resourceAttributes: Record<string, unknown>[];
}

function pbResourceAttributes(rs: { resource?: { attributes: PbKeyValue[] } | null }): Record<string, unknown> {
  if (!rs.resource) return {};
  const attrs = pbKeyValues(rs.resource.attributes, false);
  // not stored: a value past the depth limit is just cut off there, it does not reject the spans
  takeTooDeep();
  return attrs;
}

function pbSpan(s: PbSpan, resAttrs: Record<string, unknown>, out: Sink): void {
  const rej = out.rej;
  const traceHex = hexOf(s.traceId);
  const spanHex = hexOf(s.spanId);
  const parentHex = hexOf(s.parentSpanId);
  if (traceHex.length !== 32 || traceHex === ZERO_TRACE) {
    rej.add(`span '${s.name}': trace_id must be 16 bytes and not all zero (got ${traceHex.length / 2} bytes)`);
    return;
  }
  if (spanHex.length !== 16 || spanHex === ZERO_SPAN) {
    rej.add(`span '${s.name}': span_id must be 8 bytes and not all zero (got ${spanHex.length / 2} bytes)`);
    return;
  }
  if (parentHex.length !== 0 && parentHex.length !== 16) {
    rej.add(`span '${s.name}': parent_span_id must be empty or 8 bytes (got ${parentHex.length / 2} bytes)`);
    return;
  }
  const start = pbTime(s.startTimeUnixNano);
  if (start <= 0n) {
    rej.add(`span '${s.name}': start_time_unix_nano ${start === 0n ? "is missing" : `${toBigInt(s.startTimeUnixNano)} is not below 2^63`}`);
    return;
  }
  const end = pbTime(s.endTimeUnixNano);
  if (end === BAD_TIME) {
    rej.add(`span '${s.name}': end_time_unix_nano ${toBigInt(s.endTimeUnixNano)} is not below 2^63`);
    return;
  }
  const events: SpanEvent[] = new Array(s.events.length);
  for (let i = 0; i < s.events.length; i++) {
    const e = s.events[i];
    const t = pbTime(e.timeUnixNano);
    if (t === BAD_TIME) {
      rej.add(`span '${s.name}': event '${e.name}' time_unix_nano ${toBigInt(e.timeUnixNano)} is not below 2^63`);
      takeTooDeep();
      return;
    }
    events[i] = { name: e.name, timeNs: t, attributes: pbKeyValues(e.attributes, false) };
  }
  const attributes = pbKeyValues(s.attributes);
  const deep = takeTooDeep();
  if (deep !== null) {
    rej.add(tooDeepMessage(s.name, deep));
    return;
  }
  const span: NormalizedSpan = {
    traceId: mlflowTraceId(traceHex),
    spanId: spanHex,
    parentSpanId: parentHex && parentHex !== ZERO_SPAN ? parentHex : null,
    name: s.name,
    startTimeNs: start,
    endTimeNs: end === 0n ? null : end,
    status: { code: statusCodeOf(s.status?.code), message: s.status?.message ?? "" },
    attributes,
    events,
  };
  const kind = kindOf(s.kind);
  if (kind) span.kind = kind;
  finishSpan(span);
  out.spans.push(span);
  out.resourceAttributes.push(resAttrs);
}

function isDepthError(err: unknown): boolean {
  return err instanceof Error && err.message === "max depth exceeded";
}

function decodeProtobuf(body: Uint8Array): OtlpDecodeResult {
  takeTooDeep(); // a flag left by an earlier decode that threw must not reject this request's first span
  let msg: PbRequest;
  try {
    msg = otlpTypes().request.decode(body) as unknown as PbRequest;
  } catch (err) {
    if (isDepthError(err)) return decodeProtobufSpanBySpan(body);
    throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid OTLP protobuf body (ExportTraceServiceRequest): ${(err as Error).message}`);
  }
  if (body.length > 0 && msg.resourceSpans.length === 0) {
    throw new ApiError("INVALID_PARAMETER_VALUE", "Invalid OTLP protobuf body: no resource_spans found (is this an OTLP ExportTraceServiceRequest?)");
  }
  const out: Sink = { rej: new Rejections(), spans: [], resourceAttributes: [] };
  for (const rs of msg.resourceSpans) {
    const resAttrs = pbResourceAttributes(rs);
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) pbSpan(s, resAttrs, out);
    }
  }
  return { spans: out.spans, rejected: out.rej.count, errors: out.rej.errors, resourceAttributes: out.resourceAttributes };
}

/**
 * The slow path for a body protobufjs refused as nested too deep: spans stay bytes in the first pass and
 * are decoded one by one, so the span that nests too deep is rejected and the others are kept.
 */
function decodeProtobufSpanBySpan(body: Uint8Array): OtlpDecodeResult {
  const t = otlpTypes();
  let msg: { resourceSpans: { resource?: { attributes: PbKeyValue[] } | null; scopeSpans: { spans: Uint8Array[] }[] }[] };
  try {
    msg = t.lazyRequest.decode(body) as unknown as typeof msg;
  } catch (err) {
    throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid OTLP protobuf body (ExportTraceServiceRequest): ${(err as Error).message}`);
  }
  const out: Sink = { rej: new Rejections(), spans: [], resourceAttributes: [] };
  for (const rs of msg.resourceSpans) {
    const resAttrs = pbResourceAttributes(rs);
    for (const ss of rs.scopeSpans) {
      for (const bytes of ss.spans) {
        let s: PbSpan;
        try {
          s = t.span.decode(bytes) as unknown as PbSpan;
        } catch (err) {
          out.rej.add(isDepthError(err) ? `a span nests deeper than ${MAX_VALUE_DEPTH} levels (the limit for attribute and event values)` : `a span does not decode: ${(err as Error).message}`);
          continue;
        }
        pbSpan(s, resAttrs, out);
      }
    }
  }
  return { spans: out.spans, rejected: out.rej.count, errors: out.rej.errors, resourceAttributes: out.resourceAttributes };
}

// ---------------------------------------------------------------- JSON

type Json = Record<string, unknown>;

function pick(o: Json, camel: string, snake: string): unknown {
  const v = o[camel];
  return v === undefined ? o[snake] : v;
}

// 64-bit values written as bare JSON numbers would lose digits in JSON.parse: quote them first.
const BIG_INT_FIELD_RE = /("(?:startTimeUnixNano|endTimeUnixNano|timeUnixNano|start_time_unix_nano|end_time_unix_nano|time_unix_nano|intValue|int_value)"\s*:\s*)(-?\d{16,})/g;

/** OTLP/JSON ids are hex; base64 (protobuf-JSON style) is accepted too. */
function idHex(v: unknown, bytes: number): string | null {
  if (v === undefined || v === null || v === "") return "";
  if (typeof v !== "string") return null;
  const hexLen = bytes * 2;
  if (v.length === hexLen && /^[0-9a-fA-F]+$/.test(v)) return v.toLowerCase();
  if (v.length === hexLen + 2 && /^0x[0-9a-fA-F]+$/i.test(v)) return v.slice(2).toLowerCase();
  const b64Len = Math.ceil(bytes / 3) * 4;
  if (v.length === b64Len && /^[A-Za-z0-9+/_-]+=*$/.test(v)) {
    const buf = Buffer.from(v, "base64");
    if (buf.length === bytes) return buf.toString("hex");
  }
  return null;
}

const DIGITS_RE = /^\d{1,19}$/;

/**
 * OTLP/JSON ns time → bigint: a decimal string of digits (how OTLP/JSON writes 64-bit integers) or an
 * integral JSON number; 0n when absent (undefined, null, ""); BAD_TIME for anything else ("abc", "1.5",
 * -1, true) and for values not below 2^63. (The old reader turned all of those into 0: stored as 1970.)
 */
function jsonTime(v: unknown): bigint {
  if (typeof v === "string") {
    if (v === "") return 0n;
    if (!DIGITS_RE.test(v)) return BAD_TIME;
    const t = BigInt(v);
    return t < MAX_TIME_NS ? t : BAD_TIME;
  }
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 && v < 9223372036854775808 ? BigInt(v) : BAD_TIME;
  if (v === undefined || v === null) return 0n;
  return BAD_TIME;
}

function shown(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v) : String(v);
}

function decodeJson(body: Uint8Array): OtlpDecodeResult {
  takeTooDeep(); // as in decodeProtobuf
  let doc: unknown;
  try {
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8").replace(BIG_INT_FIELD_RE, '$1"$2"');
    doc = text.trim() === "" ? {} : JSON.parse(text);
  } catch (err) {
    throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid OTLP/JSON body: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new ApiError("INVALID_PARAMETER_VALUE", "Invalid OTLP/JSON body: expected an ExportTraceServiceRequest object");
  const rsList = pick(doc as Json, "resourceSpans", "resource_spans");
  if (rsList !== undefined && !Array.isArray(rsList)) throw new ApiError("INVALID_PARAMETER_VALUE", "Invalid OTLP/JSON body: resourceSpans must be an array");
  const rej = new Rejections();
  const spans: NormalizedSpan[] = [];
  const resourceAttributes: Record<string, unknown>[] = [];
  for (const rs of (rsList ?? []) as Json[]) {
    if (!rs || typeof rs !== "object") continue;
    const resource = rs.resource as Json | undefined;
    const resAttrs = resource ? jsonKeyValues(resource.attributes, false) : {};
    takeTooDeep(); // resource attributes are not stored: a too-deep value is just cut off

    const scopes = (pick(rs, "scopeSpans", "scope_spans") ?? pick(rs, "instrumentationLibrarySpans", "instrumentation_library_spans") ?? []) as Json[];
    if (!Array.isArray(scopes)) continue;
    for (const ss of scopes) {
      const list = ss && typeof ss === "object" ? ss.spans : undefined;
      if (!Array.isArray(list)) continue;
      for (const s of list as Json[]) {
        if (!s || typeof s !== "object") {
          rej.add("a span is not an object");
          continue;
        }
        const name = typeof s.name === "string" ? s.name : String(s.name ?? "");
        const traceHex = idHex(pick(s, "traceId", "trace_id"), 16);
        const spanHex = idHex(pick(s, "spanId", "span_id"), 8);
        const parentHex = idHex(pick(s, "parentSpanId", "parent_span_id"), 8);
        if (!traceHex || traceHex === ZERO_TRACE) {
          rej.add(`span '${name}': traceId must be 32 hex characters and not all zero`);
          continue;
        }
        if (!spanHex || spanHex === ZERO_SPAN) {
          rej.add(`span '${name}': spanId must be 16 hex characters and not all zero`);
          continue;
        }
        if (parentHex === null) {
          rej.add(`span '${name}': parentSpanId must be empty or 16 hex characters`);
          continue;
        }
        const rawStart = pick(s, "startTimeUnixNano", "start_time_unix_nano");
        const start = jsonTime(rawStart);
        if (start <= 0n) {
          rej.add(`span '${name}': startTimeUnixNano ${start === 0n ? "is missing" : `${shown(rawStart)} is not a time in ns below 2^63`}`);
          continue;
        }
        const rawEnd = pick(s, "endTimeUnixNano", "end_time_unix_nano");
        const end = jsonTime(rawEnd);
        if (end === BAD_TIME) {
          rej.add(`span '${name}': endTimeUnixNano ${shown(rawEnd)} is not a time in ns below 2^63`);
          continue;
        }
        const status = (s.status ?? {}) as Json;
        const rawEvents = Array.isArray(s.events) ? (s.events as Json[]) : [];
        const events: SpanEvent[] = [];
        let badEvent = "";
        for (const e of rawEvents) {
          if (!e || typeof e !== "object") continue;
          const rawTime = pick(e, "timeUnixNano", "time_unix_nano");
          const t = jsonTime(rawTime);
          const eventName = String(e.name ?? "");
          if (t === BAD_TIME) {
            badEvent = `span '${name}': event '${eventName}' timeUnixNano ${shown(rawTime)} is not a time in ns below 2^63`;
            break;
          }
          events.push({ name: eventName, timeNs: t, attributes: jsonKeyValues(e.attributes, false) });
        }
        if (badEvent) {
          takeTooDeep();
          rej.add(badEvent);
          continue;
        }
        const attributes = jsonKeyValues(s.attributes);
        const deep = takeTooDeep();
        if (deep !== null) {
          rej.add(tooDeepMessage(name, deep));
          continue;
        }
        const span: NormalizedSpan = {
          traceId: mlflowTraceId(traceHex),
          spanId: spanHex,
          parentSpanId: parentHex && parentHex !== ZERO_SPAN ? parentHex : null,
          name,
          startTimeNs: start,
          endTimeNs: end === 0n ? null : end,
          status: { code: statusCodeOf(status.code), message: typeof status.message === "string" ? status.message : "" },
          attributes,
          events,
        };
        const kind = kindOf(s.kind);
        if (kind) span.kind = kind;
        finishSpan(span);
        spans.push(span);
        resourceAttributes.push(resAttrs);
      }
    }
  }
  return { spans, rejected: rej.count, errors: rej.errors, resourceAttributes };
}

/**
 * Decodes an OTLP ExportTraceServiceRequest body (already decompressed). Throws ApiError 415 for a content
 * type that is neither protobuf nor JSON, 400 for a body that does not decode.
 */
export function decodeOtlpTraces(body: Uint8Array, contentType: string): OtlpDecodeResult {
  const enc = otlpEncodingOf(contentType);
  if (enc === "protobuf") return decodeProtobuf(body);
  if (enc === "json") return decodeJson(body);
  throw new ApiError(
    "INVALID_PARAMETER_VALUE",
    `Unsupported Content-Type '${contentType || "(none)"}' for OTLP traces: send application/x-protobuf or application/json`,
    415,
  );
}

/** The ExportTraceServiceResponse in the request's encoding (empty unless spans were rejected). */
export function encodeExportResponse(enc: OtlpEncoding, rejected: number, errorMessage: string): { body: Uint8Array | string; contentType: string } {
  if (enc === "json") {
    const body = rejected > 0 ? JSON.stringify({ partialSuccess: { rejectedSpans: String(rejected), errorMessage } }) : "{}";
    return { body, contentType: "application/json" };
  }
  if (rejected === 0) return { body: new Uint8Array(0), contentType: "application/x-protobuf" };
  const t = otlpTypes().response;
  const body = t.encode(t.fromObject({ partialSuccess: { rejectedSpans: rejected, errorMessage } })).finish();
  return { body, contentType: "application/x-protobuf" };
}

/** For tests and tools: decodes an ExportTraceServiceResponse. */
export function decodeExportResponse(body: Uint8Array): { rejectedSpans: number; errorMessage: string } {
  const m = otlpTypes().response.toObject(otlpTypes().response.decode(body), { longs: Number, defaults: true }) as { partialSuccess?: { rejectedSpans: number; errorMessage: string } };
  return { rejectedSpans: m.partialSuccess?.rejectedSpans ?? 0, errorMessage: m.partialSuccess?.errorMessage ?? "" };
}

/** For tests and the benchmark: encodes a request given as a protobufjs-compatible plain object. */
export function encodeExportRequest(obj: Record<string, unknown>): Uint8Array {
  const t = otlpTypes().request;
  return t.encode(t.fromObject(obj)).finish();
}
