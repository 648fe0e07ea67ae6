// Attribute value decoding shared by every decoder: OTLP AnyValues (protobuf messages or OTLP/JSON objects)
// to plain JS values, and the "try JSON.parse, else raw" rule of spec §3.7 for top-level string values.

const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * How deeply an attribute or event value may nest (objects and arrays; a scalar is depth 0, `{}` depth 1).
 * Deeper values are refused where they are decoded (the span is rejected on its own) rather than stored:
 * every reader that renders them again recurses (traces/get renders each level as 4 JSON levels of typed
 * AnyValue, JSON.stringify, the UI, the Python client's json module with its recursion limit of 1000), so a
 * value that was acknowledged at 2,000 levels could not be read back. 64 is far above what GenAI payloads
 * use (chat messages with tool calls nest < 10) and far below every reader's limit.
 */
export const MAX_VALUE_DEPTH = 64;

/**
 * Set by the decoders below when a value nests deeper than MAX_VALUE_DEPTH (the value is cut off there, so
 * no decoder recursion goes deeper either); `key` is the top-level attribute it was found under. The span
 * decoders read and clear it once per span (takeTooDeep): a flag instead of a result object, so the hot
 * path allocates nothing for it.
 */
const tooDeep = { exceeded: false, key: "" };

/** Whether a value decoded since the last call nested past MAX_VALUE_DEPTH, and under which key; clears it. */
export function takeTooDeep(): string | null {
  if (!tooDeep.exceeded) return null;
  const key = tooDeep.key;
  tooDeep.exceeded = false;
  tooDeep.key = "";
  return key;
}

/** Sets the too-deep flag (for decoders of other formats that cut values off at the limit); returns null. */
export function markTooDeep(): null {
  tooDeep.exceeded = true;
  return null;
}

/** Whether `v` (an object or array) nests more than `budget` container levels; stops at the first too deep. */
export function nestsDeeperThan(v: object, budget: number): boolean {
  if (budget <= 0) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && typeof x === "object" && nestsDeeperThan(x, budget - 1)) return true;
    }
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (x !== null && typeof x === "object" && nestsDeeperThan(x, budget - 1)) return true;
  }
  return false;
}

// The JSON text an attribute value was parsed from (objects and arrays only), so the store can write it back
// without serializing the value again (JSON.stringify of inputs and outputs was a fifth of the CPU of an
// OTLP batch). Values are never modified after decoding; derivation builds new objects.
const JSON_SOURCE = new WeakMap<object, string>();

/** The JSON text `v` was parsed from by decodeAttributeString, if it was. */
export function jsonSourceOf(v: unknown): string | undefined {
  return v !== null && typeof v === "object" ? JSON_SOURCE.get(v) : undefined;
}

function parseRemembered(s: string): unknown {
  const v: unknown = JSON.parse(s);
  if (v !== null && typeof v === "object") {
    // JSON text nesting d levels has at least 2d characters: short texts cannot be too deep, and most
    // attribute texts are short; longer ones are walked (cut off at the limit), not scanned character-wise
    if (s.length > 2 * MAX_VALUE_DEPTH && nestsDeeperThan(v, MAX_VALUE_DEPTH)) return markTooDeep();
    JSON_SOURCE.set(v, s);
  }
  return v;
}

/**
 * The MLflow reader rule: attribute strings are JSON text when they parse, raw otherwise. JSON text nesting
 * past MAX_VALUE_DEPTH decodes to null and sets the too-deep flag (takeTooDeep). Avoids throwing
 * for the common raw strings (model names, ids), which would cost microseconds per attribute.
 */
export function decodeAttributeString(s: string): unknown {
  if (s.length === 0) return s;
  const c = s.charCodeAt(0);
  // { [ "
  if (c === 123 || c === 91 || c === 34) {
    try {
      return parseRemembered(s);
    } catch {
      return s;
    }
  }
  if (c === 116 /* t */) return s === "true" ? true : s;
  if (c === 102 /* f */) return s === "false" ? false : s;
  if (c === 110 /* n */) return s === "null" ? null : s;
  if (c === 45 || (c >= 48 && c <= 57)) {
    if (!NUMBER_RE.test(s)) return s;
    const n = Number(s);
    // Integers beyond 2^53 stay text rather than silently losing digits.
    return Number.isSafeInteger(n) || !/^-?\d+$/.test(s) ? n : s;
  }
  if (c === 32 || c === 9 || c === 10 || c === 13) {
    const t = s.trim();
    if (t !== s && t.length && "{[\"".includes(t[0])) {
      try {
        return parseRemembered(t);
      } catch {
        return s;
      }
    }
  }
  return s;
}

interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

/** protobufjs Long / number / decimal string → bigint. */
export function toBigInt(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(Math.trunc(v));
  if (typeof v === "string") return v === "" ? 0n : BigInt(v);
  if (v && typeof v === "object" && "low" in v) {
    const l = v as LongLike;
    const u = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
    return !l.unsigned && l.high < 0 ? u - (1n << 64n) : u;
  }
  return 0n;
}

/** int64 attribute value → number when exact, else its decimal string (JSON cannot hold bigint). */
function int64ToValue(v: unknown): number | string {
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && "low" in v) {
    const l = v as LongLike;
    // |value| < 2^53: exact as a double
    if (!(l.unsigned && l.high < 0) && l.high > -0x200000 && l.high < 0x200000) return l.high * 4294967296 + (l.low >>> 0);
    return toBigInt(v).toString();
  }
  if (typeof v === "string") {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (typeof v === "bigint") {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  return 0;
}

// ---- protobuf (protobufjs message objects; the oneof getter `value` names the field that is set) ----

interface PbAnyValue {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: unknown;
  doubleValue?: number;
  arrayValue?: { values?: PbAnyValue[] };
  kvlistValue?: { values?: PbKeyValue[] };
  bytesValue?: Uint8Array;
}
export interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}

const own = Object.prototype.hasOwnProperty;

/**
 * Which AnyValue field is set. Decoded protobufjs messages hold only the fields present on the wire as own
 * properties; this beats protobufjs's oneof getter (`value`), which allocates Object.keys on every call.
 */
function pbKind(v: PbAnyValue): string | undefined {
  if (own.call(v, "stringValue")) return "stringValue";
  if (own.call(v, "intValue")) return "intValue";
  if (own.call(v, "kvlistValue")) return "kvlistValue";
  if (own.call(v, "arrayValue")) return "arrayValue";
  if (own.call(v, "doubleValue")) return "doubleValue";
  if (own.call(v, "boolValue")) return "boolValue";
  if (own.call(v, "bytesValue")) return "bytesValue";
  return v.value;
}

/**
 * Nested AnyValue → plain value (strings stay raw below the top level). `budget`: container levels still
 * allowed; an array or kvlist past it decodes to null and sets the too-deep flag.
 */
export function pbAnyValue(v: PbAnyValue | null | undefined, budget = MAX_VALUE_DEPTH): unknown {
  if (!v) return null;
  switch (pbKind(v)) {
    case "stringValue":
      return v.stringValue;
    case "intValue":
      return int64ToValue(v.intValue);
    case "doubleValue":
      return v.doubleValue;
    case "boolValue":
      return v.boolValue;
    case "kvlistValue":
      if (budget <= 0) return markTooDeep();
      return pbKeyValues(v.kvlistValue?.values, false, budget - 1);
    case "arrayValue": {
      if (budget <= 0) return markTooDeep();
      const vals = v.arrayValue?.values ?? [];
      const out = new Array(vals.length);
      for (let i = 0; i < vals.length; i++) out[i] = pbAnyValue(vals[i], budget - 1);
      return out;
    }
    case "bytesValue":
      return Buffer.from(v.bytesValue ?? []).toString("base64");
    default:
      return null;
  }
}

/**
 * KeyValue list → object; top level applies the JSON-text rule to strings. `budget` as for pbAnyValue (an
 * attribute map itself is not a level: its values may nest MAX_VALUE_DEPTH deep).
 */
export function pbKeyValues(kvs: PbKeyValue[] | undefined | null, topLevel = true, budget = MAX_VALUE_DEPTH): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!kvs) return out;
  for (let i = 0; i < kvs.length; i++) {
    const kv = kvs[i];
    const v = kv.value;
    out[kv.key] = topLevel && v && own.call(v, "stringValue") ? decodeAttributeString(v.stringValue!) : pbAnyValue(v, budget);
    if (tooDeep.exceeded && tooDeep.key === "" && budget === MAX_VALUE_DEPTH) tooDeep.key = kv.key;
  }
  return out;
}

// ---- OTLP/JSON (camelCase per the spec's JSON mapping; snake_case accepted too) ----

type Json = Record<string, unknown>;

function pick(o: Json, camel: string, snake: string): unknown {
  const v = o[camel];
  return v === undefined ? o[snake] : v;
}

/** OTLP/JSON AnyValue → plain value; `budget` as for pbAnyValue. */
export function jsonAnyValue(v: unknown, budget = MAX_VALUE_DEPTH): unknown {
  if (!v || typeof v !== "object") return null;
  const o = v as Json;
  let x: unknown;
  if ((x = pick(o, "stringValue", "string_value")) !== undefined) return x;
  if ((x = pick(o, "intValue", "int_value")) !== undefined) return int64ToValue(x);
  if ((x = pick(o, "doubleValue", "double_value")) !== undefined) return typeof x === "string" ? Number(x) : x;
  if ((x = pick(o, "boolValue", "bool_value")) !== undefined) return x;
  if ((x = pick(o, "kvlistValue", "kvlist_value")) !== undefined) {
    if (budget <= 0) return markTooDeep();
    return jsonKeyValues((x as Json | null)?.values as Json[] | undefined, false, budget - 1);
  }
  if ((x = pick(o, "arrayValue", "array_value")) !== undefined) {
    if (budget <= 0) return markTooDeep();
    const vals = (x as Json | null)?.values;
    if (!Array.isArray(vals)) return [];
    const out = new Array(vals.length);
    for (let i = 0; i < vals.length; i++) out[i] = jsonAnyValue(vals[i], budget - 1);
    return out;
  }
  if ((x = pick(o, "bytesValue", "bytes_value")) !== undefined) return x;
  return null;
}

export function jsonKeyValues(kvs: unknown, topLevel = true, budget = MAX_VALUE_DEPTH): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(kvs)) return out;
  for (const kv of kvs as Json[]) {
    if (!kv || typeof kv.key !== "string") continue;
    const v = kv.value as Json | undefined;
    const s = v && typeof v === "object" ? pick(v, "stringValue", "string_value") : undefined;
    out[kv.key] = topLevel && typeof s === "string" ? decodeAttributeString(s) : jsonAnyValue(v, budget);
    if (tooDeep.exceeded && tooDeep.key === "" && budget === MAX_VALUE_DEPTH) tooDeep.key = kv.key;
  }
  return out;
}
