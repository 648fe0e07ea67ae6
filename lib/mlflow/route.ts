// The one wrapper every MLflow REST route goes through (spec §1): reads query parameters and JSON bodies
// (losslessly; the HTTP adapters have read them within the size limit), validates them with the route's zod
// schema, authorizes with the access the route declares, runs the handler, and turns every failure into
// MLflow's error envelope. Plain data in and out (lib/http/exchange.ts).
import { z } from "zod";
import { WWW_AUTHENTICATE } from "../auth/gate";
import { authorize, type Access } from "../auth/guard";
import { ApiError, invalidParameter } from "../errors";
import { errorAnswer, headerValue, HttpAnswer, jsonAnswer, type HttpRequest } from "../http/exchange";
import { serveWeb } from "../http/web";
import { assertJsonDepth, assertNoNul, nulError, nulPath } from "../input-limits";
import { parseJson } from "./json";
import { zodToApiError } from "./params";

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

export function maxBodyBytes(): number {
  const v = Number(process.env.FLOWTRACE_MAX_BODY_BYTES);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_BODY_BYTES;
}

export interface RouteContext {
  req: HttpRequest;
  url: URL;
  /** path parameters, already URL-decoded */
  params: Record<string, string>;
  /** the raw body (only for routes declared with body: "raw") */
  rawBody?: Uint8Array;
}

export type RouteHandler = (req: HttpRequest, params: Record<string, string>) => Promise<HttpAnswer>;

export interface MlflowRouteDef<S extends z.ZodType> {
  schema: S;
  /** what the caller must be allowed to do; several entries are all required */
  access: (input: z.infer<S>, ctx: RouteContext) => Access | Access[] | Promise<Access | Access[]>;
  /** "json" (default for POST/PUT/PATCH/DELETE): a JSON object body; "raw": bytes for the handler; "none": ignored */
  body?: "json" | "raw" | "none";
  /** returns a JSON-able object (sent as 200) or a complete HttpAnswer */
  handler: (input: z.infer<S>, ctx: RouteContext) => Promise<unknown>;
}

export function bodyTooLarge(limit: number): ApiError {
  return new ApiError("RESOURCE_EXHAUSTED", `Request body is larger than the limit of ${limit} bytes (FLOWTRACE_MAX_BODY_BYTES).`, 413);
}

/** MLflow's error envelope for whatever a route threw; a 401 carries the Basic challenge MLflow clients answer. */
export function mlflowErrorAnswer(err: unknown, where: string): HttpAnswer {
  return errorAnswer(err, where, { challenge: WWW_AUTHENTICATE });
}

/** A handler of the core as a Next route handler (the body read within FLOWTRACE_MAX_BODY_BYTES). */
export function webRoute(handler: RouteHandler, params: Record<string, string> = {}): (request: Request) => Promise<Response> {
  return (request) =>
    serveWeb(request, maxBodyBytes(), bodyTooLarge, (req) => handler(req, params), (err) => mlflowErrorAnswer(err, `${request.method} ${new URL(request.url).pathname}`));
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

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * A JSON request body as an object: empty → {}, a double-encoded JSON string is decoded again (§1.2). The one
 * JSON body parser (the account routes too, with their own wording for a body that is no object: `refuse`).
 */
export function parseJsonBody(bytes: Uint8Array, contentType: string | null, refuse?: () => ApiError): Record<string, unknown> {
  const text = decoder.decode(bytes).replace(/^\uFEFF/, "");
  if (text.trim() === "") return {};
  // deeper values than anything stored can hold are refused before any recursive code sees them
  assertJsonDepth(text);
  let value: unknown;
  try {
    value = parseJson(text);
    if (typeof value === "string") value = parseJson(value);
  } catch (err) {
    if (refuse) throw refuse();
    const ct = contentType ? ` (Content-Type: ${contentType.split(";")[0]})` : "";
    throw invalidParameter(`Malformed JSON in request body${ct}: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw refuse ? refuse() : invalidParameter("Request body must be a JSON object.");
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

/** A handler whose answer is MLflow's empty object: it only does `act`. */
export function noContent<I>(act: (input: I) => Promise<unknown>): (input: I) => Promise<Record<string, never>> {
  return async (input) => {
    await act(input);
    return {};
  };
}

/** Wraps a route definition into a handler (request, path params) → answer; it never rejects. */
export function mlflowRoute<S extends z.ZodType>(def: MlflowRouteDef<S>): RouteHandler {
  return async (req, params) => {
    const url = new URL(req.url, "http://localhost");
    try {
      const bodyMode = def.body ?? (req.method === "GET" || req.method === "HEAD" ? "none" : "json");
      const ctx: RouteContext = { req, url, params };
      let input: Record<string, unknown> = queryObject(url);
      assertNoNul(input);
      assertNoNul(params);
      if (bodyMode === "json") {
        const body = parseJsonBody(req.body ?? EMPTY, headerValue(req.headers, "content-type"));
        input = { ...input, ...body };
      } else if (bodyMode === "raw") {
        ctx.rawBody = req.body ?? EMPTY;
      }
      input = { ...input, ...params };
      const parsed = def.schema.safeParse(input);
      if (!parsed.success) throw zodToApiError(parsed.error, input);
      const access = await def.access(parsed.data, ctx);
      for (const a of Array.isArray(access) ? access : [access]) await authorize(req, a);
      const result = await def.handler(parsed.data, ctx);
      return result instanceof HttpAnswer ? result : jsonAnswer(result);
    } catch (err) {
      return mlflowErrorAnswer(err, `${req.method} ${url.pathname}`);
    }
  };
}
