// The one wrapper every MLflow REST route goes through (spec §1): reads GET query parameters and JSON
// bodies (losslessly, with a size limit), validates them with the route's zod schema, authorizes with the
// access the route declares, runs the handler, and turns every failure into MLflow's error envelope.
import { z } from "zod";
import { AccessDenied, authorize, type Access } from "../auth/guard";
import { ApiError, asApiError, invalidParameter } from "../errors";
import { assertJsonDepth, assertNoNul, nulError, nulPath } from "../input-limits";
import { parseJson, stringifyJson } from "./json";
import { zodToApiError } from "./params";

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

export function maxBodyBytes(): number {
  const v = Number(process.env.FLOWTRACE_MAX_BODY_BYTES);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_BODY_BYTES;
}

export interface RouteContext {
  req: Request;
  url: URL;
  /** path parameters, already URL-decoded */
  params: Record<string, string>;
  /** the raw body (only for routes declared with body: "raw") */
  rawBody?: Uint8Array;
}

export type RouteHandler = (req: Request, params: Record<string, string>) => Promise<Response>;

export interface MlflowRouteDef<S extends z.ZodType> {
  schema: S;
  /** what the caller must be allowed to do; several entries are all required */
  access: (input: z.infer<S>, ctx: RouteContext) => Access | Access[] | Promise<Access | Access[]>;
  /** "json" (default for POST/PUT/PATCH/DELETE): a JSON object body; "raw": bytes for the handler; "none": ignored */
  body?: "json" | "raw" | "none";
  /** returns a JSON-able object (sent as 200) or a complete Response */
  handler: (input: z.infer<S>, ctx: RouteContext) => Promise<unknown>;
}

// Requests that lib/server/api-node.ts serves straight from node:http: it reads the body itself and writes
// the answer's text itself, so neither needs a web stream — whose construction (undici's body extraction, a
// ReadableStream made transferable) cost more CPU than the rest of a small request's handling, measured.
// (each such request → its body, null for a request without one)
const plainRequests = new WeakMap<Request, Uint8Array | null>();
const plainBodies = new WeakMap<Response, string>();

/** Marks `req` as served by a server that has read its body (`body`) and writes answers with `plainBodyOf`. */
export function servePlain(req: Request, body: Uint8Array | undefined): void {
  plainRequests.set(req, body ?? null);
}

/** The JSON text of an answer made for a `servePlain` request (its `body` is null); undefined for others. */
export function plainBodyOf(res: Response): string | undefined {
  return plainBodies.get(res);
}

/** The one header of every plain answer, read-only (one instance serves them all), as writeResponse reads it. */
const PLAIN_JSON_HEADERS = Object.freeze({
  get: (name: string) => (name.toLowerCase() === "content-type" ? "application/json" : null),
  has: (name: string) => name.toLowerCase() === "content-type",
  getSetCookie: () => [] as string[],
  [Symbol.iterator]: () => [["content-type", "application/json"]][Symbol.iterator](),
});

/**
 * A successful answer to a servePlain request: status 200, the JSON content type and, for plainBodyOf, the JSON
 * text — without undici's Response and Headers, whose construction cost as much as writing a small answer.
 * Only the server that marked the request (lib/server/api-node.ts) reads it.
 */
function plainJsonResponse(value: unknown): Response {
  const res = { status: 200, ok: true, headers: PLAIN_JSON_HEADERS, body: null, bodyUsed: false } as unknown as Response;
  plainBodies.set(res, stringifyJson(value ?? {}));
  return res;
}

export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(stringifyJson(value ?? {}), { status, headers: { "content-type": "application/json", ...headers } });
}

export function errorResponse(code: string, message: string, status: number, headers: Record<string, string> = {}): Response {
  return jsonResponse({ error_code: code, message }, status, headers);
}

export function bodyTooLarge(limit: number): ApiError {
  return new ApiError("RESOURCE_EXHAUSTED", `Request body is larger than the limit of ${limit} bytes (FLOWTRACE_MAX_BODY_BYTES).`, 413);
}

/** Reads the whole body, refusing more than `limit` bytes with 413 before buffering them. */
export async function readBodyLimited(req: Request, limit = maxBodyBytes()): Promise<Uint8Array> {
  const tooLarge = () => bodyTooLarge(limit);
  const pre = plainRequests.get(req);
  if (pre) {
    if (pre.byteLength > limit) throw tooLarge();
    return pre;
  }
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** Query string as an object: a key given once is a string, a repeated key a list. */
export function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** A JSON request body as an object: empty → {}, a double-encoded JSON string is decoded again (§1.2). */
export function parseJsonBody(bytes: Uint8Array, contentType: string | null): Record<string, unknown> {
  const text = decoder.decode(bytes).replace(/^\uFEFF/, "");
  if (text.trim() === "") return {};
  // deeper values than anything stored can hold are refused before any recursive code sees them
  assertJsonDepth(text);
  let value: unknown;
  try {
    value = parseJson(text);
    if (typeof value === "string") value = parseJson(value);
  } catch (err) {
    const ct = contentType ? ` (Content-Type: ${contentType.split(";")[0]})` : "";
    throw invalidParameter(`Malformed JSON in request body${ct}: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalidParameter("Request body must be a JSON object.");
  }
  // PostgreSQL text cannot hold U+0000. The request's own fields (names, ids, keys, filters: top-level strings
  // and string lists) are refused here, naming the field; content nested in messages (a trace's previews, tags
  // and metadata) is the ingest's to clean, as it does for span data (lib/store/ingest.ts). Only a body with the
  // escape is looked at.
  if (text.includes("\\u0000")) {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string")) || k.includes("\u0000")) {
        const at = nulPath({ [k]: v });
        if (at !== null) throw nulError(at);
      }
    }
  }
  return value as Record<string, unknown>;
}

export function toErrorResponse(err: unknown, where: string): Response {
  if (err instanceof ApiError) return errorResponse(err.code, err.message, err.status, err.headers);
  if (err instanceof AccessDenied) {
    return err.status === 401
      ? errorResponse("UNAUTHENTICATED", err.message, 401, { "www-authenticate": 'Basic realm="mlflow"' })
      : errorResponse("PERMISSION_DENIED", err.message, 403);
  }
  // database unreachable → 503 TEMPORARILY_UNAVAILABLE + Retry-After (MLflow clients retry it), statement
  // timeout → 504 DEADLINE_EXCEEDED, data PostgreSQL refused → 400, anything else 500
  const e = asApiError(err, where);
  return errorResponse(e.code, e.message, e.status, e.headers);
}

/** Wraps a route definition into a handler (req, path params) → Response. */
export function mlflowRoute<S extends z.ZodType>(def: MlflowRouteDef<S>): RouteHandler {
  return async (req, params) => {
    const url = new URL(req.url);
    try {
      const method = req.method.toUpperCase();
      const bodyMode = def.body ?? (method === "GET" || method === "HEAD" ? "none" : "json");
      const ctx: RouteContext = { req, url, params };
      let input: Record<string, unknown> = queryObject(url);
      assertNoNul(input);
      assertNoNul(params);
      if (bodyMode === "json") {
        const body = parseJsonBody(await readBodyLimited(req), req.headers.get("content-type"));
        input = { ...input, ...body };
      } else if (bodyMode === "raw") {
        ctx.rawBody = await readBodyLimited(req);
      }
      input = { ...input, ...params };
      const parsed = def.schema.safeParse(input);
      if (!parsed.success) throw zodToApiError(parsed.error, input);
      const access = await def.access(parsed.data, ctx);
      for (const a of Array.isArray(access) ? access : [access]) await authorize(req, a);
      const result = await def.handler(parsed.data, ctx);
      if (result instanceof Response) return result;
      return plainRequests.has(req) ? plainJsonResponse(result) : jsonResponse(result ?? {});
    } catch (err) {
      return toErrorResponse(err, `${req.method} ${url.pathname}`);
    }
  };
}
