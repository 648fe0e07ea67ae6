// zod building blocks for MLflow request messages (spec §1.2, §1.4): the same field may arrive as a JSON
// value in a body or as text in a query string, int64 as a number or a numeric string, booleans as
// "true"/"false" in any case, repeated fields as repeated query keys. Validation failures become MLflow's
// INVALID_PARAMETER_VALUE with the parameter named.
import { z } from "zod";
import { stringifyJson } from "./json";
import { ApiError, invalidParameter } from "../errors";
import { INT64_MAX, INT64_MIN, MAX_TIME_MS } from "../input-limits";

const lastOf = (v: unknown) => (Array.isArray(v) ? v[v.length - 1] : v);

/** A string field (a repeated query key keeps its last value). */
export const str = () => z.preprocess(lastOf, z.string());
/** A required string: missing or empty is "Missing value for required parameter". */
export const requiredStr = () => z.preprocess(lastOf, z.string().min(1));

/** An id MLflow types as string but some clients send as a number (experiment ids). */
export const idStr = () =>
  z.preprocess((v) => {
    v = lastOf(v);
    return typeof v === "number" || typeof v === "bigint" ? String(v) : v;
  }, z.string().min(1));

/** int64: a JSON number, a bigint (lossless parse) or a numeric string; yields bigint. */
export const int64 = () =>
  z.preprocess((v) => {
    v = lastOf(v);
    if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
    if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
    return v;
  }, z.bigint().refine((v) => v >= INT64_MIN && v <= INT64_MAX, "It must be a 64-bit integer"));

/** A time in ms since the epoch (int64 as above) that the store can also hold in nanoseconds (years 1677-2262). */
export const timestampMs = () =>
  int64().refine((v) => v >= -MAX_TIME_MS && v <= MAX_TIME_MS, `It must be a time in milliseconds since the epoch, at most ${MAX_TIME_MS} (2262) in size`);

/** int32: a JSON number or a numeric string; yields number. */
export const int32 = () =>
  z.preprocess((v) => {
    v = lastOf(v);
    if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v.trim());
    if (typeof v === "bigint") return Number(v);
    return v;
  }, z.number().int().refine((v) => v >= -(2 ** 31) && v < 2 ** 31, "It must be a 32-bit integer"));

/** bool: true/false, or "true"/"false" in any case; anything else is rejected. */
export const bool = () =>
  z.preprocess((v) => {
    v = lastOf(v);
    if (typeof v === "string") {
      const s = v.toLowerCase();
      if (s === "true") return true;
      if (s === "false") return false;
    }
    return v;
  }, z.boolean());

/** A repeated string field: one value or a list. */
export const strList = () =>
  z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(z.string()));

/** A list of {key, value} (v2 messages), also accepted as a map (the TS SDK sends maps). */
export const keyValueList = () =>
  z.preprocess(
    (v) => {
      if (v && typeof v === "object" && !Array.isArray(v)) return Object.entries(v).map(([key, value]) => ({ key, value }));
      return v;
    },
    z.array(z.object({ key: z.string().min(1), value: z.preprocess((x) => (x == null ? "" : typeof x === "string" ? x : String(x)), z.string()) })),
  );

/**
 * A map<string,string> as clients send one: null is {}, a list of {key, value} becomes a map, and an object's
 * non-string values are stringified (exactly, bigints included). Null when the value is no such map. A plain
 * function, not a zod schema: it runs on every StartTraceV3, where building a schema per call cost more than
 * the rest of the parsing.
 */
export function parseStringMap(v: unknown): Record<string, string> | null {
  if (v == null) return {};
  const out: Record<string, string> = {};
  const put = (k: string, x: string) => {
    if (k === "__proto__") Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  };
  if (Array.isArray(v)) {
    for (const e of v) {
      if (!e || typeof e !== "object") continue;
      const { key, value } = e as { key?: unknown; value?: unknown };
      if (typeof value !== "string") return null;
      put(String(key), value);
    }
    return out;
  }
  if (typeof v !== "object") return null;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === undefined || x === null) continue;
    put(k, typeof x === "string" ? x : stringifyJson(x));
  }
  return out;
}

/**
 * Makes `err` the refusal of the value being parsed: an ApiError reaches the client as it is (zodToApiError),
 * so a field read by one of the shared parsers keeps their wording; anything else is rethrown.
 */
export function refuseWith(ctx: z.RefinementCtx, err: unknown): never {
  if (!(err instanceof ApiError)) throw err;
  ctx.addIssue({ code: "custom", message: err.message, params: { apiError: err } });
  return z.NEVER;
}

/** A field read by a plain parser (parseTimestampMs, parseAssessment, …) that throws ApiError. */
export const parsedBy = <T>(parse: (v: unknown) => T) =>
  z.unknown().transform((v, ctx): T => {
    try {
      return parse(v);
    } catch (err) {
      return refuseWith(ctx, err);
    }
  });

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur = input;
  for (const p of path) {
    if (cur == null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  return typeof v;
}

/** Turns the first zod issue into MLflow's wording, naming the parameter. */
export function zodToApiError(err: z.ZodError, input: unknown): ApiError {
  const issue = err.issues[0];
  const carried = (issue as { params?: { apiError?: unknown } }).params?.apiError;
  if (carried instanceof ApiError) return carried;
  const path = issue.path.map(String).join(".");
  const value = valueAt(input, issue.path as PropertyKey[]);
  if (value === undefined || value === null || (value === "" && issue.code === "too_small")) {
    return invalidParameter(`Missing value for required parameter '${path}'. See the API docs for more information about request parameters.`);
  }
  const shown = typeof value === "string" ? JSON.stringify(value) : (() => {
    try {
      return JSON.stringify(value, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? String(value);
    } catch {
      return String(value);
    }
  })();
  const hint = issue.code === "custom" ? ` ${issue.message}.` : ` Hint: Value was of type '${describe(value)}'.`;
  return invalidParameter(`Invalid value ${shown.length > 200 ? shown.slice(0, 200) + "…" : shown} for parameter '${path}' supplied.${hint} See the API docs for more information about request parameters.`);
}

/** A tag value: absent or null is "", anything else its text (MLflow's clients send numbers too). */
export const tagValue = () => z.preprocess((v) => (v == null ? "" : typeof v === "string" ? v : String(v)), z.string());
