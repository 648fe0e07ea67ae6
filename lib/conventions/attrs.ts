// Small readers shared by the convention mappers. Attribute values arrive already decoded by the OTLP / REST
// decoders (spec §3.7), but SDKs still send messages and usage as JSON text inside a string attribute.
import type { SpanEvent } from "../tracing/model";
import type { TokenUsage } from "./Convention";

export type Attrs = Record<string, unknown>;
export type { SpanEvent };

/** A key that is set to something (null and undefined mean absent); the cheap test before any parse. */
export const has = (a: Attrs, k: string): boolean => a[k] !== undefined && a[k] !== null;

export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Strings that hold JSON (SDKs send messages as JSON text) are parsed; other values pass through. */
export function jsonish(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trimStart();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

/** The first present key's parsed value, or undefined: the usual "attribute form" of a convention. */
export function firstJson(a: Attrs, keys: readonly string[]): unknown {
  for (const k of keys) if (has(a, k)) return jsonish(a[k]);
  return undefined;
}

/**
 * Token usage from an input and an output count key (both needed), total from its key else their sum, and
 * the cached part of the input from `cacheKeys` ([read, write]) when the span reports it.
 */
export function tokenUsageOf(a: Attrs, inputKey: string, outputKey: string, totalKey: string | null, cacheKeys?: readonly [string, string]): TokenUsage | undefined {
  const i = num(a[inputKey]);
  const o = num(a[outputKey]);
  if (i === undefined || o === undefined) return undefined;
  const u: TokenUsage = { input_tokens: i, output_tokens: o, total_tokens: (totalKey ? num(a[totalKey]) : undefined) ?? i + o };
  return cacheKeys ? withCache(u, a[cacheKeys[0]], a[cacheKeys[1]]) : u;
}

/** Adds the cache counts that are numbers to `u` (absent ones stay absent: unknown is not zero). */
export function withCache(u: TokenUsage, read: unknown, write: unknown): TokenUsage {
  const r = num(read);
  const w = num(write);
  if (r !== undefined) u.cache_read_input_tokens = r;
  if (w !== undefined) u.cache_creation_input_tokens = w;
  return u;
}
