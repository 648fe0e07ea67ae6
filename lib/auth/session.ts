// Who is calling: one function for every route family. Credentials are read in MLflow clients' order
// (spec §10.1): an Authorization header (Basic username:password, or Bearer personal access token), else
// the next-auth session cookie of the web UI. Resolved once per request and cached on the request.
import { decode } from "next-auth/jwt";
import { loadUser, verifyBasic, type UserRecord } from "./users";
import { resolveToken } from "./tokens";

export interface Principal {
  userId: bigint;
  username: string;
  isAdmin: boolean;
  via: "basic" | "bearer" | "session";
}

/** Anything with request headers: a Request, a NextRequest, `{ headers: await headers() }`, a Node request. */
export type RequestLike = { headers: Headers | Record<string, string | string[] | undefined> };

export const SESSION_COOKIE = "next-auth.session-token";
export const SECURE_SESSION_COOKIE = "__Secure-next-auth.session-token";
const CLIENT_IP_HEADER = "x-flowtrace-client-ip";

export function headerOf(req: RequestLike, name: string): string | undefined {
  const h = req.headers;
  if (typeof (h as Headers).get === "function") return (h as Headers).get(name) ?? undefined;
  const v = (h as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    let v = part.slice(eq + 1).trim();
    try {
      v = decodeURIComponent(v);
    } catch {
      /* keep raw */
    }
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

/** The session JWT, reassembled when next-auth split it into chunks (name.0, name.1, …). */
export function sessionTokenFrom(cookies: Map<string, string>): string | undefined {
  for (const name of [SECURE_SESSION_COOKIE, SESSION_COOKIE]) {
    if (cookies.has(name)) return cookies.get(name);
    const chunks: string[] = [];
    for (let i = 0; cookies.has(`${name}.${i}`); i++) chunks.push(cookies.get(`${name}.${i}`)!);
    if (chunks.length) return chunks.join("");
  }
  return undefined;
}

export function hasCredentials(req: RequestLike): boolean {
  return Boolean(headerOf(req, "authorization")) || sessionTokenFrom(parseCookies(headerOf(req, "cookie"))) !== undefined;
}

function principalOf(user: UserRecord | null, via: Principal["via"]): Principal | null {
  if (!user || user.disabled) return null;
  return { userId: user.id, username: user.username, isAdmin: user.isAdmin, via };
}

async function resolve(req: RequestLike): Promise<Principal | null> {
  const authorization = headerOf(req, "authorization");
  if (authorization) {
    const sp = authorization.indexOf(" ");
    const scheme = (sp < 0 ? authorization : authorization.slice(0, sp)).toLowerCase();
    const value = sp < 0 ? "" : authorization.slice(sp + 1).trim();
    if (scheme === "basic") {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon <= 0) return null;
      return principalOf(await verifyBasic(decoded.slice(0, colon), decoded.slice(colon + 1), headerOf(req, CLIENT_IP_HEADER)), "basic");
    }
    if (scheme === "bearer") {
      const t = await resolveToken(value);
      return t ? principalOf(await loadUser(t.userId), "bearer") : null;
    }
    return null;
  }
  const token = sessionTokenFrom(parseCookies(headerOf(req, "cookie")));
  const secret = process.env.NEXTAUTH_SECRET;
  if (!token || !secret) return null;
  let payload: Record<string, unknown> | null;
  try {
    payload = (await decode({ token, secret })) as Record<string, unknown> | null;
  } catch {
    return null;
  }
  const sub = payload?.sub;
  if (typeof sub !== "string" || !/^\d+$/.test(sub)) return null;
  const exp = payload?.exp;
  if (typeof exp === "number" && exp * 1000 < Date.now()) return null;
  const user = await loadUser(BigInt(sub));
  if (!user || user.sessionVersion !== Number(payload?.sv ?? 0)) return null;
  return principalOf(user, "session");
}

const perRequest = new WeakMap<object, Promise<Principal | null>>();

/** The signed-in user or API credential's owner, or null (no or invalid credentials). */
export function getPrincipal(req: RequestLike): Promise<Principal | null> {
  const key = req.headers as object;
  let p = perRequest.get(key);
  if (!p) {
    p = resolve(req);
    perRequest.set(key, p);
  }
  return p;
}
