// Helpers for integration and browser tests that talk to the server `npm test` started (FLOWTRACE_URL).
import { randomBytes } from "node:crypto";

export function baseUrl(): string {
  const u = process.env.FLOWTRACE_URL;
  if (!u) throw new Error("FLOWTRACE_URL is not set: run integration tests through `npm test`");
  return u;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/** One HTTP call; JSON bodies are sent as JSON, Buffers as they are. Never throws on an HTTP status. */
export async function http<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    if (Buffer.isBuffer(body) || body instanceof Uint8Array || typeof body === "string") {
      init.body = body as BodyInit;
    } else {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    }
  }
  const res = await fetch(baseUrl() + path, init);
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json: json as T };
}
