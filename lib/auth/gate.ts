// The net under every route when --auth is on, applied by the custom server before Next: a request
// without valid credentials reaches only the public paths (health, version, sign-in, static assets).
// Routes still call authorize() for their permission checks; this makes a route that forgets to do so
// unreachable anonymously instead of open.
import type { IncomingMessage, ServerResponse } from "node:http";
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

export function unauthenticatedAnswer(method: string, pathname: string, search: string, message: string): { status: number; headers: Record<string, string>; body: string } {
  if (pathname.startsWith("/api/") || pathname.startsWith("/ajax-api/")) {
    return { status: 401, headers: { "content-type": "application/json", "www-authenticate": WWW_AUTHENTICATE }, body: JSON.stringify({ error_code: "UNAUTHENTICATED", message }) };
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
    if (await getPrincipal(reqLike)) return true;
    const a = unauthenticatedAnswer(method, pathname, search, hasCredentials(reqLike) ? "Invalid credentials" : "Authentication required");
    res.writeHead(a.status, a.headers);
    res.end(a.body);
    return false;
  };
}
