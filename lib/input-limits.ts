// Checks made at the door of every route family (MLflow REST, UI API, account routes) on what PostgreSQL or
// the JavaScript stack cannot take, so they answer a 400 that names the parameter instead of failing deep
// inside (issue #14 item 6). lib/errors.ts classifyInputError is the safety net behind these.
import { invalidParameter } from "./errors";

/**
 * How deeply JSON values in REST request bodies may nest. PostgreSQL's jsonb, JSON.stringify and the store's
 * walkers all recurse; 1,000 levels is far beyond any real trace metadata, assessment value or request
 * message (MLflow's own protos nest a handful of levels) and far below where any of them overflows.
 */
export const MAX_JSON_DEPTH = 1000;

/** The dotted path of the first string (key or value) in `v` that contains U+0000, or null; walks `v` iteratively. */
export function nulPath(v: unknown, root = ""): string | null {
  const stack: [unknown, string][] = [[v, root]];
  while (stack.length) {
    const [x, path] = stack.pop()!;
    if (typeof x === "string") {
      if (x.includes("\u0000")) return path || "(value)";
    } else if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--) stack.push([x[i], `${path}[${i}]`]);
    } else if (x !== null && typeof x === "object") {
      for (const k of Object.keys(x)) {
        const p = path ? `${path}.${k}` : k;
        if (k.includes("\u0000")) return p;
        stack.push([(x as Record<string, unknown>)[k], p]);
      }
    }
  }
  return null;
}

export const nulError = (parameter: string) =>
  invalidParameter(`Invalid value for parameter '${parameter.replaceAll("\u0000", "\\u0000")}' supplied: text may not contain the NUL character (\\u0000).`);

/** Throws 400 naming the parameter when any key or string value of `values` (query, path parameters) contains NUL. */
export function assertNoNul(values: Record<string, unknown>, what = ""): void {
  const p = nulPath(values, what);
  if (p !== null) throw nulError(p);
}

/**
 * The offset at which JSON `text` nests deeper than `limit` (arrays and objects), or -1. A scan, not a
 * parser (strings are skipped): it runs before JSON.parse so that no recursive code sees a deeper value.
 */
export function jsonDepthExceeded(text: string, limit = MAX_JSON_DEPTH): number {
  // fast exit: a document with fewer brackets than the limit cannot nest deeper
  let depth = 0;
  const n = text.length;
  if (n <= limit) return -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = text.indexOf('"', i + 1);
      for (;;) {
        if (j < 0) return -1; // unterminated string: JSON.parse reports it
        let b = j - 1;
        while (text.charCodeAt(b) === 92 /* \ */) b--;
        if ((j - 1 - b) % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      i = j;
    } else if (c === 91 || c === 123 /* [ { */) {
      if (++depth > limit) return i;
    } else if (c === 93 || c === 125 /* ] } */) {
      depth--;
    }
  }
  return -1;
}

export function assertJsonDepth(text: string, what = "request body"): void {
  const at = jsonDepthExceeded(text);
  if (at >= 0) throw invalidParameter(`The ${what} nests JSON values more than ${MAX_JSON_DEPTH} levels deep (at character ${at + 1}).`);
}

/** int64 bounds: what a PostgreSQL bigint holds. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
/** The largest time in ms whose nanoseconds still fit in int64 (2262-04-11): span times are stored in ns. */
export const MAX_TIME_MS = INT64_MAX / 1_000_000n;
