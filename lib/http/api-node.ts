// The MLflow REST API (/api/…, and /ajax-api/… as next.config.mjs rewrites it) and the /version and /health
// probes straight on node:http, ahead of Next (lib/server/serve.ts, after the hardening and the auth gate):
// Next's request handler costs more CPU per request than most of these routes. The node:http adapter of the
// HTTP core (lib/http/exchange.ts): the same handleApiRequest as the Next route app/api/[...path]/route.ts,
// so the same answers; Next keeps every path this does not take (pages, the account and UI routes under /api,
// anything unusual about the URL).
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { INTERNAL_ERROR_MESSAGE } from "../errors";
import { readNodeBody } from "./body";
import { envelopeText, HttpAnswer, writeSmallAnswer, type HttpRequest } from "./exchange";
import { handleApiRequest, mlflowRouter } from "../mlflow/api";
import { bodyTooLarge, maxBodyBytes, mlflowErrorAnswer } from "../mlflow/route";
import { PROBE_CONTENT_TYPE, PROBES } from "../version";

export type FastRoute = { kind: "api"; parts: string[] } | { kind: "probe"; body: string };

export interface NextRouteTable {
  /** Next routes under /api other than the MLflow catch-all (app/api/auth, app/api/ui, the users and permissions endpoints) */
  shadowing: RegExp[];
  /** next.config.mjs rewrites /ajax-api/:path* to /api/:path* */
  ajaxRewrite: boolean;
}

const CATCH_ALL_PAGE = "/api/[...path]";
const AJAX_REWRITE = { source: "/ajax-api/:path*", destination: "/api/:path*" };

/**
 * What the production build routes under /api, from .next/routes-manifest.json: every route there other than
 * the catch-all keeps its path (a route added under app/api later is never shadowed by the fast path).
 * Null when the build has no MLflow catch-all at all: then Next keeps every request.
 */
export function loadNextRouteTable(root: string): NextRouteTable | null {
  let manifest: { staticRoutes?: { page: string; regex: string }[]; dynamicRoutes?: { page: string; regex: string }[]; rewrites?: unknown };
  try {
    manifest = JSON.parse(readFileSync(path.join(root, ".next", "routes-manifest.json"), "utf8"));
  } catch {
    return null;
  }
  return nextRouteTableFrom(manifest);
}

export function nextRouteTableFrom(manifest: { staticRoutes?: { page: string; regex: string }[]; dynamicRoutes?: { page: string; regex: string }[]; rewrites?: unknown }): NextRouteTable | null {
  const routes = [...(manifest.staticRoutes ?? []), ...(manifest.dynamicRoutes ?? [])];
  if (!routes.some((r) => r.page === CATCH_ALL_PAGE)) return null;
  // case-insensitive: a path only a differently-cased route could be meant for goes to Next, which decides
  const shadowing = routes.filter((r) => r.page.startsWith("/api/") && r.page !== CATCH_ALL_PAGE).map((r) => new RegExp(r.regex, "i"));
  const rw = manifest.rewrites as { beforeFiles?: unknown[]; afterFiles?: unknown[]; fallback?: unknown[] } | unknown[] | undefined;
  const all = (Array.isArray(rw) ? rw : [...(rw?.beforeFiles ?? []), ...(rw?.afterFiles ?? []), ...(rw?.fallback ?? [])]) as { source?: string; destination?: string; has?: unknown; missing?: unknown }[];
  const ajaxRewrite = all.some((r) => r.source === AJAX_REWRITE.source && r.destination === AJAX_REWRITE.destination && !r.has && !r.missing);
  return { shadowing, ajaxRewrite };
}

// A path segment as clients send it: URL-safe characters and %-escapes, nothing Next would first normalize
const SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%]+$/;
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * The request this module answers, or null for Next. Only plain paths: a trailing slash, an empty or dot
 * segment, a malformed escape or raw non-ASCII get Next's own answer (redirect, normalization, error page).
 * Path segments are split first and decoded each (a%2Fb is one segment "a/b"), as Next decodes the catch-all.
 */
export function fastRouteFor(method: string | undefined, url: string | undefined, table: NextRouteTable): FastRoute | null {
  if (!url) return null;
  const q = url.indexOf("?");
  const pathname = q >= 0 ? url.slice(0, q) : url;
  if (pathname === "/version" || pathname === "/health") {
    return method === "GET" || method === "HEAD" ? { kind: "probe", body: PROBES[pathname] } : null;
  }
  // OPTIONS (when the hardening does not answer it) and unknown methods keep Next's handling
  if (method !== "GET" && method !== "POST" && method !== "PUT" && method !== "PATCH" && method !== "DELETE" && method !== "HEAD") return null;
  let rest: string;
  if (pathname.startsWith("/api/")) rest = pathname.slice(5);
  else if (pathname.startsWith("/ajax-api/") && table.ajaxRewrite) rest = pathname.slice(10);
  else return null;
  const raw = rest.split("/");
  const parts: string[] = [];
  for (const seg of raw) {
    if (!SEGMENT.test(seg) || DOT_SEGMENT.test(seg)) return null;
    let decoded: string;
    try {
      decoded = seg.includes("%") ? decodeURIComponent(seg) : seg;
    } catch {
      return null;
    }
    parts.push(decoded);
  }
  const apiPath = "/api/" + rest;
  let decodedPath = apiPath;
  try {
    decodedPath = decodeURIComponent(apiPath);
  } catch {
    return null;
  }
  for (const re of table.shadowing) if (re.test(apiPath) || re.test(decodedPath)) return null;
  return { kind: "api", parts };
}

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

function early(status: number, code: string, message: string, headers?: Record<string, string>): HttpAnswer {
  return new HttpAnswer(status, { "content-type": "application/json", ...headers }, envelopeText(code, message));
}

/**
 * Requests no route can take, answered before Next (which answered both with a bare 500): a method outside
 * HTTP's usual set (TRACE, CONNECT, PROPFIND, …) → 405 with Allow, and a path whose percent-escapes are not
 * UTF-8 (`/traces/tr-%FF%FE`) → 400, both in MLflow's {"error_code", "message"} envelope. Null otherwise.
 */
export function earlyAnswerFor(method: string | undefined, url: string | undefined): HttpAnswer | null {
  const q = (url ?? "/").indexOf("?");
  const pathname = q >= 0 ? url!.slice(0, q) : (url ?? "/");
  const m = (method ?? "GET").toUpperCase();
  if (!KNOWN_METHODS.has(m)) {
    let allow = [...KNOWN_METHODS];
    // an MLflow path: the methods its routes take (a method no route has matches none, so find lists them)
    if (pathname.startsWith("/api/") || pathname.startsWith("/ajax-api/")) {
      try {
        const parts = pathname.slice(pathname.indexOf("/", 1) + 1).split("/").map(decodeURIComponent);
        const found = mlflowRouter().find("\u0000", parts);
        if (found && "allowed" in found) allow = [...new Set([...found.allowed, ...(found.allowed.includes("GET") ? ["HEAD"] : [])])];
      } catch {
        /* a malformed escape: the generic list */
      }
    }
    const shown = pathname.length > 200 ? pathname.slice(0, 200) + "…" : pathname;
    return early(405, "ENDPOINT_NOT_FOUND", `The method ${m.slice(0, 20)} is not supported for ${shown} (allowed: ${allow.join(", ")}).`, { allow: allow.join(", ") });
  }
  if (pathname.includes("%")) {
    try {
      decodeURIComponent(pathname);
    } catch {
      return early(400, "INVALID_PARAMETER_VALUE", "The request path has an invalid percent-encoding: escapes must spell UTF-8 (e.g. %C3%A9).");
    }
  }
  return null;
}

/** Answers the request (never rejects: failures become MLflow's error envelope, or a closed connection). */
export async function serveFastRoute(req: IncomingMessage, res: ServerResponse, route: FastRoute): Promise<void> {
  if (route.kind === "probe") {
    res.writeHead(200, { "content-type": PROBE_CONTENT_TYPE, "content-length": Buffer.byteLength(route.body) });
    res.end(route.body);
    return;
  }
  const method = req.method ?? "GET";
  let answer: HttpAnswer;
  try {
    const body = method === "GET" || method === "HEAD" ? null : await readNodeBody(req, maxBodyBytes(), bodyTooLarge);
    answer = await handleApiRequest(nodeRequest(req, body), route.parts);
  } catch (err) {
    // handleApiRequest answers its own failures; this is a body over the limit or a client gone mid-body
    answer = mlflowErrorAnswer(err, `${method} ${req.url}`);
  }
  try {
    await writeResponse(req, res, answer);
  } catch (err) {
    if (isClientGone(err, res)) return;
    console.error(`flowtrace: could not send the answer to ${method} ${req.url}:`, err);
    if (!res.headersSent) {
      writeSmallAnswer(res, new HttpAnswer(500, { "content-type": "application/json" }, envelopeText("INTERNAL_ERROR", INTERNAL_ERROR_MESSAGE)));
    } else {
      res.destroy();
    }
  }
}

function isClientGone(err: unknown, res: ServerResponse): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return res.destroyed || code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNRESET" || code === "EPIPE";
}

/**
 * node:http's parsed request as the core's plain data: no copy of the headers (node:http has them lower case,
 * repeated ones joined, as the core expects). x-forwarded-host and -proto default to the Host and http, as Next
 * sets them for its routes, so both adapters hand the core the same headers.
 */
export function nodeRequest(req: IncomingMessage, body: Uint8Array | null): HttpRequest {
  const h = req.headers;
  if (h["x-forwarded-host"] === undefined && h.host !== undefined) h["x-forwarded-host"] = h.host;
  if (h["x-forwarded-proto"] === undefined) h["x-forwarded-proto"] = "http";
  return { method: req.method ?? "GET", url: req.url ?? "/", headers: h, body };
}


// --- the answer --------------------------------------------------------------------------------------------

/**
 * Gzip or deflate for compressible types, as Next's compression (the `compression` middleware) does, but from
 * 8 KiB rather than 1 KiB: a zlib stream costs ~150 us of CPU to set up and run even for a 2 KB answer (its
 * window and hash tables are allocated each time), which the TypeScript SDK — its fetch accepts gzip — paid on
 * every StartTraceV3 (bench:rest: server CPU per trace 760 -> 1,330 us with the SDK's Accept-Encoding) to
 * save about a kilobyte. Search pages and trace data, the answers worth compressing, are far larger.
 */
export const COMPRESS_THRESHOLD = 8 * 1024;
const COMPRESSIBLE = /^(?:text\/|application\/(?:json|javascript|xml|x-ndjson|x-www-form-urlencoded|graphql)\b)|\+(?:json|text|xml)\b/i;

function isCompressible(contentType: string | null): boolean {
  return contentType !== null && COMPRESSIBLE.test(contentType.split(";")[0].trim());
}

/** gzip, deflate or null (identity) from Accept-Encoding, preferring gzip like the compression middleware. */
export function negotiateEncoding(accept: string | string[] | undefined): "gzip" | "deflate" | null {
  if (!accept) return null;
  const header = Array.isArray(accept) ? accept.join(",") : accept;
  const q: Record<string, number> = {};
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    let quality = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) quality = Number(m[1]);
    }
    q[name] = Number.isFinite(quality) ? quality : 0;
  }
  const of = (e: string) => q[e] ?? q["*"] ?? 0;
  const gzip = of("gzip");
  const deflate = of("deflate");
  if (gzip > 0 && gzip >= deflate) return "gzip";
  if (deflate > 0) return "deflate";
  return null;
}

// (removing Transfer-Encoding from a Node response would also turn off its chunked encoding)
const HOP_BY_HOP = new Set(["content-length", "transfer-encoding", "connection", "keep-alive"]);

function mergeVary(res: ServerResponse, value: string): void {
  const prev = res.getHeader("vary");
  const have = (Array.isArray(prev) ? prev.join(",") : prev === undefined ? "" : String(prev)).split(",").map((s) => s.trim()).filter(Boolean);
  for (const v of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (v === "*" || !have.some((h) => h.toLowerCase() === v.toLowerCase())) have.push(v);
  }
  res.setHeader("vary", have.join(", "));
}

function compress(encoding: "gzip" | "deflate", data: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => (encoding === "gzip" ? zlib.gzip : zlib.deflate)(data, (err, out) => (err ? reject(err) : resolve(out))));
}

/** Status, every header (Set-Cookie as separate lines) and the body of an answer onto the Node response. */
export async function writeResponse(req: IncomingMessage, res: ServerResponse, answer: HttpAnswer): Promise<void> {
  // headers the hardening has set stay unless the route sets the same one (then the route's value wins);
  // Vary is merged; framing is Node's (Content-Length below, else chunked)
  let contentType: string | null = null;
  let encoded = false;
  let noTransform = false;
  for (const name in answer.headers) {
    const value = answer.headers[name];
    const key = name.toLowerCase();
    if (HOP_BY_HOP.has(key)) continue;
    if (key === "vary") mergeVary(res, String(value));
    else res.setHeader(key, value);
    if (key === "content-type") contentType = String(value);
    else if (key === "content-encoding") encoded = true;
    else if (key === "cache-control") noTransform = /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(String(value));
  }
  res.statusCode = answer.status;

  const head = req.method === "HEAD";
  const bodyless = answer.status === 204 || answer.status === 304 || (answer.status >= 100 && answer.status < 200);
  const body = answer.body;
  if (body === null || bodyless) {
    if (body !== null && typeof body !== "string" && !(body instanceof Uint8Array)) await closeStream(body);
    if (!bodyless) res.setHeader("content-length", 0);
    res.end();
    return;
  }
  const compressible = isCompressible(contentType) && !encoded && !noTransform;
  if (compressible) mergeVary(res, "Accept-Encoding");
  const encoding = compressible && !head ? negotiateEncoding(req.headers["accept-encoding"]) : null;

  if (typeof body === "string" || body instanceof Uint8Array) {
    const size = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    let data: string | Uint8Array = body;
    if (encoding && size >= COMPRESS_THRESHOLD) {
      data = await compress(encoding, typeof body === "string" ? Buffer.from(body) : body);
      res.setHeader("content-encoding", encoding);
    }
    res.setHeader("content-length", typeof data === "string" ? size : data.byteLength);
    res.end(head ? undefined : data);
    return;
  }
  if (head) {
    await closeStream(body);
    res.end();
    return;
  }
  const source = Readable.from(body as AsyncIterable<Uint8Array>, { objectMode: false });
  if (encoding) {
    res.setHeader("content-encoding", encoding);
    await pipeline(source, encoding === "gzip" ? zlib.createGzip() : zlib.createDeflate(), res);
  } else {
    await pipeline(source, res);
  }
}

/** Lets go of a body that will not be sent (a web stream is cancelled, a generator returned). */
async function closeStream(body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): Promise<void> {
  const b = body as { cancel?: () => Promise<void>; return?: () => Promise<unknown> };
  try {
    await (b.cancel ? b.cancel() : b.return?.());
  } catch {
    /* nothing to release */
  }
}
