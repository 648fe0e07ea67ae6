// The net under every route when --auth is on, applied by the custom server before Next: a request
// without valid credentials reaches only the public paths (health, version, sign-in, static assets).
// Routes still call authorize() for their permission checks; this makes a route that forgets to do so
// unreachable anonymously instead of open.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "../errors";
import { envelopeText } from "../http/exchange";
import { EXPERIMENT_ID_DIGITS } from "../experiment-id";
import { AccessDenied, authorize, type Access } from "./guard";
import { SignInThrottled } from "./rate-limit";
import { getPrincipal, hasCredentials } from "./session";

const PUBLIC_EXACT = new Set(["/health", "/version", "/login", "/favicon.ico", "/robots.txt"]);
const PUBLIC_PREFIXES = ["/login/", "/api/auth/", "/_next/static/", "/_next/image"];

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_EXACT.has(pathname) || PUBLIC_PREFIXES.some((p) => pathname.startsWith(p));
}

/** The TS SDK's unauthenticated traces.json PUT (spec §4.2) is decided by authorize() in its route. */
function maybeAnonymousTraceUpload(method: string, pathname: string): boolean {
  return method === "PUT" && pathname.endsWith("/traces.json");
}

export const WWW_AUTHENTICATE = 'Basic realm="mlflow"';

/**
 * The Basic challenge MLflow clients expect, except for fetches from our own pages: a browser answers a
 * challenge with its native password dialog, while the UI should send an expired session to /login.
 */
export function challengeHeaders(fromOwnPage: boolean): Record<string, string> {
  return fromOwnPage ? {} : { "www-authenticate": WWW_AUTHENTICATE };
}

export function unauthenticatedAnswer(method: string, pathname: string, search: string, message: string, fromOwnPage = false): { status: number; headers: Record<string, string>; body: string } {
  if (pathname.startsWith("/api/") || pathname.startsWith("/ajax-api/")) {
    return { status: 401, headers: { "content-type": "application/json", ...challengeHeaders(fromOwnPage) }, body: envelopeText("UNAUTHENTICATED", message) };
  }
  if (pathname.startsWith("/v1/")) {
    return { status: 401, headers: { "content-type": "application/json", "www-authenticate": WWW_AUTHENTICATE }, body: JSON.stringify({ detail: message }) };
  }
  if (method === "GET" || method === "HEAD") {
    const callbackUrl = encodeURIComponent(pathname + search);
    return { status: 307, headers: { location: `/login?callbackUrl=${callbackUrl}`, "cache-control": "no-store" }, body: "" };
  }
  return { status: 401, headers: { "content-type": "text/plain; charset=utf-8", "www-authenticate": WWW_AUTHENTICATE }, body: message };
}

/** Basic credentials refused by the sign-in limits: 429 with Retry-After, in the API's error shape. */
export function throttledAnswer(pathname: string, err: SignInThrottled): { status: number; headers: Record<string, string>; body: string } {
  const headers = { "content-type": "application/json", "retry-after": String(err.retryAfterS), "cache-control": "no-store" };
  // OTLP answers carry their own error shape ({detail}); every other route MLflow's envelope
  const body = pathname.startsWith("/v1/") ? JSON.stringify({ detail: err.message }) : envelopeText("REQUEST_LIMIT_EXCEEDED", err.message);
  return { status: 429, headers, body };
}

const EXPERIMENT_PAGE = new RegExp(`^/experiments/(${EXPERIMENT_ID_DIGITS})(?:/|$)`);
const SETTINGS_EXPERIMENT_PAGE = new RegExp(`^/settings/experiments/(${EXPERIMENT_ID_DIGITS})(?:/|$)`);
const TRACE_PAGE = /\/traces\/([A-Za-z0-9_-]{1,100})(?:\/|$)/;

/**
 * What a UI page needs, from its URL: /experiments/<id>/… READ on the experiment, …/traces/<trace id>…
 * READ on the trace's experiment. Enforced here for every page, so a page cannot forget it.
 */
export function pageAccessFor(pathname: string): Access[] {
  if (pathname.startsWith("/api/") || pathname.startsWith("/ajax-api/") || pathname.startsWith("/v1/") || pathname.startsWith("/_next/")) return [];
  const out: Access[] = [];
  const e = EXPERIMENT_PAGE.exec(pathname);
  if (e) out.push({ kind: "experiment", level: "READ", experimentId: e[1] });
  const t = e ? TRACE_PAGE.exec(pathname.slice(e[0].length - 1)) : null;
  if (t) out.push({ kind: "trace", level: "READ", traceId: t[1] });
  if (pathname === "/settings/users" || pathname.startsWith("/settings/users/")) out.push({ kind: "admin" });
  const s = SETTINGS_EXPERIMENT_PAGE.exec(pathname);
  if (s) out.push({ kind: "experiment", level: "MANAGE", experimentId: s[1] });
  return out;
}

const NOT_FOUND_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Not found · flowtrace</title></head>
<body style="font-family:system-ui,sans-serif;padding:3rem;color:#334155"><h1 style="font-size:1.25rem">Not found</h1>
<p>This page does not exist or you do not have access to it.</p><p><a href="/">Experiments</a></p></body></html>`;

/** Resolves to true when the request may continue to Next; otherwise it has been answered. */
export function createAuthGate(): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q >= 0 ? url.slice(0, q) : url;
    const search = q >= 0 ? url.slice(q) : "";
    const method = (req.method ?? "GET").toUpperCase();
    if (isPublicPath(pathname) || method === "OPTIONS") return true;
    const reqLike = { headers: req.headers };
    if (!hasCredentials(reqLike) && maybeAnonymousTraceUpload(method, pathname)) return true;
    let principal;
    try {
      principal = await getPrincipal(reqLike);
    } catch (err) {
      if (!(err instanceof SignInThrottled)) throw err;
      const a = throttledAnswer(pathname, err);
      res.writeHead(a.status, a.headers);
      res.end(a.body);
      return false;
    }
    if (principal) {
      const needs = method === "GET" || method === "HEAD" ? pageAccessFor(pathname) : [];
      try {
        for (const access of needs) await authorize({ headers: req.headers, method, url }, access);
        return true;
      } catch (err) {
        if (!(err instanceof AccessDenied || err instanceof ApiError)) throw err;
        res.writeHead(404, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        res.end(NOT_FOUND_PAGE);
        return false;
      }
    }
    const fromOwnPage = req.headers["sec-fetch-site"] === "same-origin" && req.headers["sec-fetch-mode"] !== "navigate";
    const a = unauthenticatedAnswer(method, pathname, search, hasCredentials(reqLike) ? "Invalid credentials" : "Authentication required", fromOwnPage);
    res.writeHead(a.status, a.headers);
    res.end(a.body);
    return false;
  };
}
