// traces.json span dicts (spec §3.7 formats A, B, C) → NormalizedSpan[]. The trace id always comes from the
// caller (the upload path): the TypeScript SDK writes a mangled span `trace_id` (fixtures README).
import { ApiError } from "../errors";
import type { NormalizedSpan, SpanEvent, SpanStatusCode } from "./model";
import { decodeAttributeString, markTooDeep, MAX_VALUE_DEPTH, takeTooDeep } from "./values";

type Json = Record<string, unknown>;

const bad = (msg: string) => new ApiError("INVALID_PARAMETER_VALUE", `Invalid traces.json: ${msg}`);

/** 16-hex span id from hex, 0x-hex or base64 of the 8 bytes; "" / null → null. */
function spanIdOf(v: unknown, what: string): string | null {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v !== "string") throw bad(`${what} must be a string`);
  const s = v.startsWith("0x") || v.startsWith("0X") ? v.slice(2) : v;
  if (/^[0-9a-fA-F]{16}$/.test(s)) return s.toLowerCase();
  if (/^[0-9a-fA-F]{1,15}$/.test(s) && s !== v) return s.toLowerCase().padStart(16, "0");
  const buf = Buffer.from(v, "base64");
  if (buf.length === 8) return buf.toString("hex");
  throw bad(`${what} '${v}' is neither 16 hex characters nor base64 of 8 bytes`);
}

/** Integer ns from a number, bigint, decimal string or lossless-json number. */
function nsOf(v: unknown): bigint | null {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isFinite(v) ? BigInt(Math.round(v)) : null;
  const s = String(v);
  if (/^-?\d+$/.test(s)) return BigInt(s);
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s)) return BigInt(Math.round(Number(s)));
  return null;
}

const MAX_TIME_NS = 1n << 63n;

/** nsOf, refusing what the bigint columns cannot hold (a 400 naming the field, not a database error). */
function timeOf(v: unknown, what: string): bigint | null {
  const t = nsOf(v);
  if (t !== null && (t < 0n || t >= MAX_TIME_NS)) throw bad(`${what} ${t} is not a time in ns between 0 and 2^63`);
  return t;
}

/** Values nested past MAX_VALUE_DEPTH are refused, as on OTLP: every reader must be able to render them again. */
function tooDeep(what: string) {
  return bad(`${what} nests deeper than ${MAX_VALUE_DEPTH} levels (the limit for attribute and event values)`);
}

function statusOf(code: unknown): SpanStatusCode {
  const c = String(code ?? "").toUpperCase();
  if (c === "OK" || c === "STATUS_CODE_OK" || c === "1") return "OK";
  if (c === "ERROR" || c === "STATUS_CODE_ERROR" || c === "2") return "ERROR";
  return "UNSET";
}

function attributesOf(v: unknown, what: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!v || typeof v !== "object" || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v as Json)) {
    out[k] = typeof val === "string" ? decodeAttributeString(val) : plain(val);
    if (takeTooDeep() !== null) throw tooDeep(`${what}['${k}']`);
  }
  return out;
}

// lossless-json numbers (objects with isLosslessNumber) → number/string; everything else unchanged. Values
// nested past `budget` levels are cut off and reported through takeTooDeep (no recursion past the limit).
function plain(v: unknown, budget = MAX_VALUE_DEPTH): unknown {
  if (v && typeof v === "object") {
    if ((v as { isLosslessNumber?: boolean }).isLosslessNumber) {
      const s = String(v);
      const n = Number(s);
      return Number.isSafeInteger(n) || !/^-?\d+$/.test(s) ? n : s;
    }
    if (budget <= 0) return markTooDeep();
    if (Array.isArray(v)) return v.map((x) => plain(x, budget - 1));
    const o: Json = {};
    for (const [k, x] of Object.entries(v as Json)) o[k] = plain(x, budget - 1);
    return o;
  }
  if (typeof v === "bigint") {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  return v;
}

function eventsOf(v: unknown, timeKey: string, what: string): SpanEvent[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((e) => e && typeof e === "object")
    .map((e: Json, j) => {
      // the attribute map itself is not a level (as on OTLP): its values may nest MAX_VALUE_DEPTH deep
      const attributes = (plain(e.attributes && typeof e.attributes === "object" ? e.attributes : {}, MAX_VALUE_DEPTH + 1) as Record<string, unknown>) ?? {};
      if (takeTooDeep() !== null) throw tooDeep(`${what}.events[${j}].attributes`);
      return { name: String(e.name ?? ""), timeNs: timeOf(e[timeKey] ?? e.time_unix_nano ?? e.timestamp, `${what}.events[${j}] time`) ?? 0n, attributes };
    });
}

function decodeOne(d: Json, traceId: string, i: number): NormalizedSpan {
  const ctx = d.context as Json | undefined;
  if (ctx && typeof ctx === "object") {
    // (B) MLflow 2.x
    const spanId = spanIdOf(ctx.span_id, `spans[${i}].context.span_id`);
    if (!spanId) throw bad(`spans[${i}] has no span_id`);
    const start = timeOf(d.start_time, `spans[${i}].start_time`);
    if (start === null) throw bad(`spans[${i}] has no start_time`);
    return {
      traceId,
      spanId,
      parentSpanId: spanIdOf(d.parent_id, `spans[${i}].parent_id`),
      name: String(d.name ?? ""),
      startTimeNs: start,
      endTimeNs: timeOf(d.end_time, `spans[${i}].end_time`),
      status: { code: statusOf(d.status_code), message: String(d.status_message ?? "") },
      attributes: attributesOf(d.attributes, `spans[${i}].attributes`),
      events: eventsOf(d.events, "timestamp", `spans[${i}]`),
    };
  }
  // (A) v3 dict (base64 ids) and (C) v4 dict (hex ids): one reader, ids decide themselves
  const spanId = spanIdOf(d.span_id, `spans[${i}].span_id`);
  if (!spanId) throw bad(`spans[${i}] has no span_id`);
  const start = timeOf(d.start_time_unix_nano ?? d.start_time_ns ?? d.start_time, `spans[${i}].start_time_unix_nano`);
  if (start === null) throw bad(`spans[${i}] has no start_time_unix_nano`);
  const status = (d.status && typeof d.status === "object" ? d.status : {}) as Json;
  const span: NormalizedSpan = {
    traceId,
    spanId,
    parentSpanId: spanIdOf(d.parent_span_id, `spans[${i}].parent_span_id`),
    name: String(d.name ?? ""),
    startTimeNs: start,
    endTimeNs: timeOf(d.end_time_unix_nano ?? d.end_time_ns ?? d.end_time, `spans[${i}].end_time_unix_nano`),
    status: { code: statusOf(status.code ?? d.status_code), message: String(status.message ?? d.status_message ?? "") },
    attributes: attributesOf(d.attributes, `spans[${i}].attributes`),
    events: eventsOf(d.events, "time_unix_nano", `spans[${i}]`),
  };
  if (span.endTimeNs === 0n) span.endTimeNs = null;
  if (typeof d.kind === "string" && d.kind.startsWith("SPAN_KIND_")) span.kind = d.kind;
  return span;
}

/**
 * Decodes a traces.json document `{"spans": [...]}` (formats A, B, C). Every span gets `opts.traceId`
 * (and `mlflow.traceRequestId` is set to it). Throws ApiError INVALID_PARAMETER_VALUE for a malformed doc.
 */
export function decodeSpanDicts(doc: unknown, opts: { traceId: string }): NormalizedSpan[] {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw bad("expected an object {\"spans\": [...]}");
  const spans = (doc as Json).spans;
  if (spans === undefined || spans === null) return [];
  if (!Array.isArray(spans)) throw bad("\"spans\" must be a list");
  return spans.map((d, i) => {
    if (!d || typeof d !== "object" || Array.isArray(d)) throw bad(`spans[${i}] is not an object`);
    const s = decodeOne(d as Json, opts.traceId, i);
    s.attributes["mlflow.traceRequestId"] = opts.traceId;
    return s;
  });
}

// 64-bit times written as bare numbers lose digits in JSON.parse: quote them before parsing.
const BIG_INT_RE = /("(?:start_time_unix_nano|end_time_unix_nano|time_unix_nano|start_time|end_time|timestamp)"\s*:\s*)(-?\d{16,})/g;

/** Parses traces.json text keeping 64-bit timestamps exact, then decodes it. */
export function decodeSpanDictsText(text: string, opts: { traceId: string }): NormalizedSpan[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(BIG_INT_RE, '$1"$2"'));
  } catch (err) {
    throw bad(`not JSON (${(err as Error).message})`);
  }
  return decodeSpanDicts(doc, opts);
}
