// Text for PostgreSQL from decoded span values: NUL characters and \u0000 escapes removed (text and jsonb
// cannot hold them), JSON written from the text a value was parsed from when there is one (lossless numbers).
import { jsonSourceOf } from "../../tracing/values";

export function stripNul(s: string): string {
  return s.indexOf("\0") >= 0 ? s.replace(/\0/g, "") : s;
}

export const nullableText = (v: string | null | undefined) => (v === null || v === undefined ? null : stripNul(v));

/**
 * JSON text: the text a decoded attribute value was parsed from when there is one, else serialized; bigint
 * values (none come from the decoders, but callers may build spans) as digits.
 */
export function jsonText(v: unknown): string {
  const src = jsonSourceOf(v);
  if (src !== undefined) return src;
  try {
    return JSON.stringify(v) ?? "null";
  } catch {
    return JSON.stringify(v, bigintReplacer) ?? "null";
  }
}

/** jsonb cannot hold \u0000; JSON.stringify writes NUL characters as that escape. */
export function safeJson(v: unknown): string {
  return safeJsonText(jsonText(v));
}

export function safeJsonText(s: string): string {
  return s.indexOf("\\u0000") >= 0 ? s.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, "$1\\ufffd") : s;
}

/** An attribute map as JSON text, each value by jsonText (undefined values left out, as JSON.stringify does). */
export function attributesJson(a: Record<string, unknown>): string {
  let out = "{";
  for (const k in a) {
    const v = a[k];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    out += (out.length > 1 ? "," : "") + JSON.stringify(k) + ":" + jsonText(v);
  }
  return out + "}";
}

function bigintReplacer(_k: string, v: unknown) {
  return typeof v === "bigint" ? v.toString() : v;
}
