// Test helpers for suites that need a second server with --auth on the test database.
import { randomBytes } from "node:crypto";
import http from "node:http";
import { startServerProcess } from "../server/test-runner";

export interface AuthServer {
  url: string;
  admin: { username: string; password: string };
  stop(): Promise<void>;
}

export async function startAuthServer(extraEnv: Record<string, string> = {}): Promise<AuthServer> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: run integration tests through `npm test`");
  const admin = { username: `admin-${randomBytes(3).toString("hex")}`, password: randomBytes(12).toString("base64url") };
  const s = await startServerProcess(databaseUrl, ["--auth", "--quiet"], { FLOWTRACE_ADMIN_USERNAME: admin.username, FLOWTRACE_ADMIN_PASSWORD: admin.password, ...extraEnv });
  return { url: s.url, admin, stop: s.stop };
}

export function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export interface Res<T = any> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/** fetch against a given server; JSON bodies as JSON; never follows redirects, never throws on status. */
export async function call<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
  const init: RequestInit = { method, headers: { ...headers }, redirect: "manual" };
  if (body !== undefined) {
    if (typeof body === "string" || Buffer.isBuffer(body)) init.body = body as BodyInit;
    else {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    }
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json: json as T };
}

/** A raw request with headers fetch refuses to forge (Host). */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Signs in through next-auth's credentials flow like the login page does; returns the Cookie header. */
export async function signIn(base: string, username: string, password: string): Promise<string | undefined> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (h: Headers) => {
    for (const c of h.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  keep(csrf.headers);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie(), origin: base },
    body: new URLSearchParams({ csrfToken, username, password, json: "true", callbackUrl: "/" }).toString(),
  });
  keep(res.headers);
  await res.text();
  return [...jar.keys()].some((k) => k.includes("session-token")) ? cookie() : undefined;
}

/** A --auth server, a database connection and the admin's credentials: what the auth suites share. */
export interface AuthTestbed {
  srv: AuthServer;
  db: import("pg").Client;
  admin: Record<string, string>;
  close(): Promise<void>;
}

export async function openAuthTestbed(): Promise<AuthTestbed> {
  const pg = (await import("pg")).default;
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const srv = await startAuthServer();
  return {
    srv,
    db,
    admin: basic(srv.admin.username, srv.admin.password),
    close: async () => {
      await srv.stop();
      await db.end();
    },
  };
}
