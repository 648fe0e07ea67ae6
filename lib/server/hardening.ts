// Request hardening applied by the custom http server before Next sees a request (spec §10.3), in every
// mode: Host-header allow-list against DNS rebinding, a CORS policy for state-changing requests, security
// headers. It is cheap (header checks only) and covers every route, /v1/traces included.
import type { IncomingMessage, ServerResponse } from "node:http";

export interface HardeningOptions {
  /** fnmatch patterns; undefined = MLflow's defaults; ["*"] disables the check */
  allowedHosts?: string[];
  /** origins allowed to send state-changing requests besides localhost and the server itself; ["*"] = all */
  corsAllowedOrigins?: string[];
  /** MLFLOW_SERVER_X_FRAME_OPTIONS: SAMEORIGIN (default), DENY, or NONE to omit */
  frameOptions?: string;
  disabled?: boolean;
}

export const DNS_REBINDING_MESSAGE = "Invalid Host header - possible DNS rebinding attack detected";
export const CORS_BLOCKED_MESSAGE = "Cross-origin request blocked";

const LOCALHOST_NAMES = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"];
const PRIVATE_PATTERNS = ["10.*", "192.168.*", ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}.*`), "fc00:*", "fd00:*", "[fc00:*", "[fd00:*"];

/** MLflow's default list (security_utils.get_default_allowed_hosts). */
export const DEFAULT_ALLOWED_HOSTS = [...LOCALHOST_NAMES, ...LOCALHOST_NAMES.map((h) => `${h}:*`), ...PRIVATE_PATTERNS];

/** Exempt from host validation so load balancers and health probes work under any name. */
const HOST_EXEMPT_PATHS = new Set(["/health", "/version"]);
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const patternCache = new Map<string, RegExp>();
function fnmatch(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|\\[\]]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${body}$`, "i");
    patternCache.set(pattern, re);
  }
  return re;
}

export function hostAllowed(host: string | undefined, patterns: string[] = DEFAULT_ALLOWED_HOSTS): boolean {
  if (patterns.includes("*")) return true;
  if (!host) return false;
  return patterns.some((p) => fnmatch(p).test(host));
}

function originHostname(origin: string): string | undefined {
  try {
    return new URL(origin).hostname;
  } catch {
    return undefined;
  }
}

export function isLocalhostOrigin(origin: string): boolean {
  const h = originHostname(origin);
  return h !== undefined && ["localhost", "127.0.0.1", "[::1]", "::1", "0.0.0.0"].includes(h);
}

/**
 * May a browser page at `origin` send state-changing requests? Localhost (as MLflow), the server's own
 * origin (the UI served under an allowed host name), and the configured list.
 */
export function originAllowed(origin: string, host: string | undefined, allowed: string[] = []): boolean {
  if (origin === "null") return allowed.includes("*");
  if (isLocalhostOrigin(origin)) return true;
  if (host) {
    try {
      if (new URL(origin).host.toLowerCase() === host.toLowerCase()) return true;
    } catch {
      return false;
    }
  }
  return allowed.some((p) => p === "*" || fnmatch(p).test(origin));
}

function originExplicitlyAllowed(origin: string, host: string | undefined, allowed: string[] = []): boolean {
  try {
    if (host && new URL(origin).host.toLowerCase() === host.toLowerCase()) return true;
  } catch {
    return false;
  }
  return allowed.some((p) => p !== "*" && fnmatch(p).test(origin));
}

const CSP = [
  "default-src 'self'",
  // Next's App Router streams inline <script> tags (RSC payload, bootstrap) without nonces in a static
  // build; 'unsafe-inline' is what keeps them working. Everything else is same-origin only.
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

function isApiPath(p: string): boolean {
  return p.startsWith("/api/") || p.startsWith("/ajax-api/") || p.startsWith("/v1/");
}

export interface HardeningDecision {
  /** answer now with this status and text body (blocked request or preflight) */
  answer?: { status: number; body: string };
  headers: Record<string, string>;
}

/** The whole policy as a pure function of method, path and headers (unit-tested). */
export function decide(method: string, pathname: string, headers: Record<string, string | string[] | undefined>, opts: HardeningOptions): HardeningDecision {
  const out: Record<string, string> = {};
  if (opts.disabled) return { headers: out };
  const host = first(headers.host);
  const patterns = opts.allowedHosts ?? DEFAULT_ALLOWED_HOSTS;
  out["x-content-type-options"] = "nosniff";
  const frame = (opts.frameOptions ?? "SAMEORIGIN").toUpperCase();
  if (frame !== "NONE") out["x-frame-options"] = frame;
  out["referrer-policy"] = "same-origin";
  if (!isApiPath(pathname)) out["content-security-policy"] = frame === "NONE" ? CSP : `${CSP}; frame-ancestors ${frame === "DENY" ? "'none'" : "'self'"}`;

  if (!HOST_EXEMPT_PATHS.has(pathname)) {
    const forwardedHost = first(headers["x-forwarded-host"]);
    if (!hostAllowed(host, patterns) || (forwardedHost !== undefined && !hostAllowed(forwardedHost, patterns))) {
      return { answer: { status: 403, body: DNS_REBINDING_MESSAGE }, headers: out };
    }
  }

  const origin = first(headers.origin);
  const allowedOrigin = origin !== undefined && originAllowed(origin, host, opts.corsAllowedOrigins);
  if (origin !== undefined && STATE_CHANGING.has(method) && !allowedOrigin) {
    return { answer: { status: 403, body: CORS_BLOCKED_MESSAGE }, headers: out };
  }
  if (isApiPath(pathname)) {
    // Credentialed CORS only for origins we trust: reflecting any origin (as MLflow does) would let any web
    // page read a localhost server's traces through the user's browser.
    if (allowedOrigin) {
      out["access-control-allow-origin"] = origin;
      // Cookies only for origins named explicitly (or our own): a dev server on another localhost port is
      // same-site, so SameSite alone would not stop it from reading with the user's session.
      if (originExplicitlyAllowed(origin, host, opts.corsAllowedOrigins)) out["access-control-allow-credentials"] = "true";
      out["access-control-allow-methods"] = "GET, POST, PUT, DELETE, OPTIONS, PATCH";
      out["access-control-allow-headers"] = first(headers["access-control-request-headers"]) ?? "*";
      out["access-control-expose-headers"] = "*";
      out["access-control-max-age"] = "600";
    }
    out.vary = "Origin";
    if (method === "OPTIONS") return { answer: { status: 204, body: "" }, headers: out };
  }
  return { headers: out };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Header the server sets to the peer address (any client-sent value is dropped) for rate limiting. */
export const CLIENT_IP_HEADER = "x-flowtrace-client-ip";

/**
 * Applies the policy to a Node request. Returns true when it has answered the request itself.
 */
export function createHardening(opts: HardeningOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    delete req.headers[CLIENT_IP_HEADER];
    if (req.socket.remoteAddress) req.headers[CLIENT_IP_HEADER] = req.socket.remoteAddress;
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q >= 0 ? url.slice(0, q) : url;
    const d = decide(req.method ?? "GET", pathname, req.headers, opts);
    for (const [k, v] of Object.entries(d.headers)) res.setHeader(k, v);
    if (d.answer) {
      if (d.answer.status !== 204) res.setHeader("content-type", "text/plain; charset=utf-8");
      res.writeHead(d.answer.status);
      res.end(d.answer.body);
      return true;
    }
    return false;
  };
}

/** The loud warning printed when the server is reachable from other machines without accounts. */
export function exposureWarning(host: string, auth: boolean): string | undefined {
  if (auth) return undefined;
  const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1" || host.startsWith("127.");
  if (loopback) return undefined;
  return [
    "",
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
    `!! WARNING: flowtrace listens on ${host} WITHOUT authentication.`,
    "!! Anyone who can reach this address can read and delete every trace.",
    "!! Start it with --auth (and FLOWTRACE_ADMIN_USERNAME / FLOWTRACE_ADMIN_PASSWORD) to require accounts.",
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
    "",
  ].join("\n");
}
