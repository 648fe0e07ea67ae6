// Request hardening applied by the custom http server before Next sees a request (spec §10.3), in every
// mode: Host-header allow-list against DNS rebinding, a CORS policy for state-changing requests, security
// headers. It is cheap (header checks only) and covers every route, /v1/traces included.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import net from "node:net";

export interface HardeningOptions {
  /** fnmatch patterns; undefined = MLflow's defaults; ["*"] disables the check */
  allowedHosts?: string[];
  /** origins allowed to send state-changing requests besides localhost and the server itself; ["*"] = all */
  corsAllowedOrigins?: string[];
  /** MLFLOW_SERVER_X_FRAME_OPTIONS: SAMEORIGIN (default), DENY, or NONE to omit */
  frameOptions?: string;
  disabled?: boolean;
  /** peers (IPs/CIDRs) whose X-Forwarded-For / X-Forwarded-Host are believed; default none */
  trustedProxies?: string[];
  /** `--dev`: the page CSP lets Next's development scripts run */
  dev?: boolean;
}

export const DNS_REBINDING_MESSAGE = "Invalid Host header - possible DNS rebinding attack detected";
export const CORS_BLOCKED_MESSAGE = "Cross-origin request blocked";

const LOCALHOST_NAMES = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"];
// IPv4 private ranges and IPv6 unique local addresses (fc00::/7). Address-shaped patterns match address
// literals only (see hostAllowed): "10.*" must not admit the name 10.attacker.example.
const PRIVATE_PATTERNS = ["10.*", "192.168.*", ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}.*`), "[fc*", "[fd*"];

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

/** An IPv6 address written out in full (8 groups of 4 hex digits), so prefix patterns mean prefixes. */
function expandIpv6(a: string): string {
  const parts = (s: string) => (s ? s.split(":") : []);
  const dbl = a.indexOf("::");
  const head = parts(dbl >= 0 ? a.slice(0, dbl) : a);
  const tail = dbl >= 0 ? parts(a.slice(dbl + 2)) : [];
  const last = tail.length ? tail : head;
  if (last.length && last[last.length - 1].includes(".")) {
    const [b0, b1, b2, b3] = last.pop()!.split(".").map(Number);
    last.push(((b0 << 8) | b1).toString(16), ((b2 << 8) | b3).toString(16));
  }
  const fill = dbl >= 0 ? Array(Math.max(0, 8 - head.length - tail.length)).fill("0") : [];
  return [...head, ...fill, ...tail].map((g) => g.padStart(4, "0")).join(":").toLowerCase();
}

type HostForm = { kind: "name" | "ipv4"; host: string } | { kind: "ipv6"; host: string };

/**
 * A Host header as name, IPv4 literal or bracketed IPv6 literal ("[…]" expanded), port kept; undefined when
 * it is neither (a bare IPv6 address, junk in brackets).
 */
function hostForm(host: string): HostForm | undefined {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    const inner = end > 0 ? host.slice(1, end) : "";
    const rest = end > 0 ? host.slice(end + 1) : "";
    if (!net.isIPv6(inner) || (rest !== "" && !/^:\d{1,5}$/.test(rest))) return undefined;
    return { kind: "ipv6", host: `[${expandIpv6(inner)}]${rest}` };
  }
  const colon = host.indexOf(":");
  if (colon >= 0 && host.indexOf(":", colon + 1) >= 0) return undefined; // bare IPv6 is not a Host
  const name = colon >= 0 ? host.slice(0, colon) : host;
  return { kind: net.isIPv4(name) ? "ipv4" : "name", host };
}

/** What a pattern may match: address-shaped patterns only address literals of their family. */
function patternForm(p: string): { kind: HostForm["kind"]; pattern: string } {
  if (p.startsWith("[")) {
    const end = p.indexOf("]");
    const inner = end > 0 ? p.slice(1, end) : "";
    return { kind: "ipv6", pattern: net.isIPv6(inner) ? `[${expandIpv6(inner)}]${p.slice(end + 1)}` : p };
  }
  // digits, dots and wildcards with at least one dot and one digit ("10.*", "172.16.*:5000"); "*:5000" is a name pattern
  if (/^[\d*?]+(\.[\d*?]+){1,3}(:[\d*?]+)?$/.test(p) && /\d/.test(p.split(":")[0])) return { kind: "ipv4", pattern: p };
  return { kind: "name", pattern: p };
}

export function hostAllowed(host: string | undefined, patterns: string[] = DEFAULT_ALLOWED_HOSTS): boolean {
  if (patterns.includes("*")) return true;
  if (!host) return false;
  const h = hostForm(host);
  if (!h) return false;
  return patterns.some((p) => {
    const f = patternForm(p);
    return f.kind === h.kind && fnmatch(f.pattern).test(h.host);
  });
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

/**
 * The page CSP. Scripts: our own files plus inline scripts carrying this response's nonce. Next's App Router
 * streams inline <script> tags (bootstrap, RSC payload); it reads the nonce from the request's
 * content-security-policy header (set by createHardening) and puts it on each of them. Pages are rendered
 * per request (app/layout.tsx), so every page gets a fresh nonce. Styles keep 'unsafe-inline' (React style
 * attributes); they cannot run code.
 */
export function pageCsp(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    // Next's development build evaluates its modules (React Refresh): `--dev` only, never a production page
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}`,
    ...CSP_REST,
  ].join("; ");
}

const CSP_REST = [
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
];

function isApiPath(p: string): boolean {
  return p.startsWith("/api/") || p.startsWith("/ajax-api/") || p.startsWith("/v1/");
}

export interface HardeningDecision {
  /** answer now with this status and text body (blocked request or preflight) */
  answer?: { status: number; body: string };
  headers: Record<string, string>;
}

/** The whole policy as a pure function of method, path and headers (unit-tested). */
export function decide(method: string, pathname: string, headers: Record<string, string | string[] | undefined>, opts: HardeningOptions, nonce = newNonce()): HardeningDecision {
  const out: Record<string, string> = {};
  if (opts.disabled) return { headers: out };
  const host = first(headers.host);
  const patterns = opts.allowedHosts ?? DEFAULT_ALLOWED_HOSTS;
  out["x-content-type-options"] = "nosniff";
  const frame = (opts.frameOptions ?? "SAMEORIGIN").toUpperCase();
  if (frame !== "NONE") out["x-frame-options"] = frame;
  out["referrer-policy"] = "same-origin";
  if (!isApiPath(pathname)) {
    const csp = pageCsp(nonce, opts.dev);
    out["content-security-policy"] = frame === "NONE" ? csp : `${csp}; frame-ancestors ${frame === "DENY" ? "'none'" : "'self'"}`;
  }

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

export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/** Header the server sets to the client address (any client-sent value is dropped) for rate limiting. */
export const CLIENT_IP_HEADER = "x-flowtrace-client-ip";
/** Header the server sets to a trusted proxy's X-Forwarded-Host (any client-sent value is dropped). */
export const FORWARDED_HOST_HEADER = "x-flowtrace-forwarded-host";

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
function plainAddress(a: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return m ? m[1] : a;
}

/** Whether an address is one of the configured proxies (IPs or CIDRs, IPv4 and IPv6). Throws on bad entries. */
export function trustedProxyMatcher(entries: string[] = []): (addr: string) => boolean {
  const list = new net.BlockList();
  for (const e of entries) {
    const [ip, bits, extra] = e.split("/");
    const family = net.isIPv4(ip) ? "ipv4" : net.isIPv6(ip) ? "ipv6" : undefined;
    const prefix = bits === undefined ? undefined : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (!family || extra !== undefined || (prefix !== undefined && !(prefix <= (family === "ipv4" ? 32 : 128)))) {
      throw new Error(`invalid trusted proxy '${e}': expected an IP address or CIDR (10.0.0.0/8, ::1)`);
    }
    if (prefix === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, prefix, family);
  }
  return (addr) => {
    const a = plainAddress(addr);
    const family = net.isIPv4(a) ? "ipv4" : net.isIPv6(a) ? "ipv6" : undefined;
    return family !== undefined && entries.length > 0 && list.check(a, family);
  };
}

/**
 * The client's address: the peer's, or, when the peer is a trusted proxy, the rightmost X-Forwarded-For hop
 * that is not itself a trusted proxy (the hops left of it are whatever the client chose to send).
 */
export function clientAddress(peer: string, xff: string | undefined, trusted: (addr: string) => boolean): string {
  let addr = plainAddress(peer);
  if (!trusted(addr) || !xff) return addr;
  const hops = xff.split(",").map((h) => plainAddress(h.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!net.isIP(hops[i])) return addr;
    addr = hops[i];
    if (!trusted(addr)) return addr;
  }
  return addr;
}

/** Duplicate Host headers (rawHeaders keeps every copy; headers.host only the first). */
export function hostHeaderCount(rawHeaders: string[]): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].length === 4 && rawHeaders[i].toLowerCase() === "host") n++;
  return n;
}

/**
 * Applies the policy to a Node request. Returns true when it has answered the request itself.
 */
export function createHardening(opts: HardeningOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const trusted = trustedProxyMatcher(opts.trustedProxies);
  return (req, res) => {
    const h = req.headers;
    // Headers only this layer may set; a client's copies are dropped.
    delete h[CLIENT_IP_HEADER];
    delete h[FORWARDED_HOST_HEADER];
    delete h["content-security-policy"];
    delete h["content-security-policy-report-only"];
    delete h["x-nonce"];
    const peer = req.socket.remoteAddress ?? "";
    if (peer && trusted(plainAddress(peer))) {
      const xff = Array.isArray(h["x-forwarded-for"]) ? h["x-forwarded-for"].join(",") : h["x-forwarded-for"];
      h[CLIENT_IP_HEADER] = clientAddress(peer, xff, trusted);
      // a proxy that appends puts its own value last
      const fh = first(h["x-forwarded-host"])?.split(",").pop()?.trim();
      if (fh) h["x-forwarded-host"] = h[FORWARDED_HOST_HEADER] = fh;
      else delete h["x-forwarded-host"];
    } else {
      if (peer) h[CLIENT_IP_HEADER] = plainAddress(peer);
      // Not from a proxy we trust: these are the client's claims, and nothing downstream may believe them.
      delete h["x-forwarded-for"];
      delete h["x-forwarded-host"];
    }
    if (!opts.disabled && hostHeaderCount(req.rawHeaders) > 1) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
      res.end("Duplicate Host header");
      return true;
    }
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q >= 0 ? url.slice(0, q) : url;
    const nonce = newNonce();
    const d = decide(req.method ?? "GET", pathname, h, opts, nonce);
    const csp = d.headers["content-security-policy"];
    if (csp) {
      // Next takes the nonce for its inline scripts from the request's CSP header (and x-nonce is there
      // for our own components, should one render a script)
      h["content-security-policy"] = csp;
      h["x-nonce"] = nonce;
    }
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
