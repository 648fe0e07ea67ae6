// The Next adapter of the HTTP core: a route handler's web Request as plain data (body read within its cap)
// and the core's answer as a web Response. The server answers these routes on node:http (lib/server/serve.ts);
// Next's copies serve the paths it leaves to Next.
import { readStreamCapped } from "./body";
import { HttpAnswer, type HttpRequest } from "./exchange";

/** The request as the core reads it; throws `tooLarge(limit)` for a body over `limit` bytes. */
export async function webRequest(request: Request, limit: number, tooLarge: (limit: number) => Error): Promise<HttpRequest> {
  const method = request.method.toUpperCase();
  const u = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = method === "GET" || method === "HEAD" ? null : await readStreamCapped(request.body, limit, tooLarge, request.headers.get("content-length"));
  return { method, url: u.pathname + u.search, headers, body };
}

export function webResponse(answer: HttpAnswer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const b = answer.body;
  const body = b === null || typeof b === "string" || b instanceof Uint8Array || b instanceof ReadableStream ? b : streamFrom(b);
  return new Response(body as BodyInit | null, { status: answer.status, headers });
}

// (Node 20 has ReadableStream.from; TypeScript's DOM lib does not declare it yet)
const streamFrom = (chunks: AsyncIterable<Uint8Array>) =>
  (ReadableStream as unknown as { from(c: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> }).from(chunks);

/** A Next route handler over a core handler: `fail` answers a body over the cap (or a client gone mid-body). */
export async function serveWeb(
  request: Request,
  limit: number,
  tooLarge: (limit: number) => Error,
  handle: (req: HttpRequest) => Promise<HttpAnswer>,
  fail: (err: unknown) => HttpAnswer,
): Promise<Response> {
  let answer: HttpAnswer;
  try {
    answer = await handle(await webRequest(request, limit, tooLarge));
  } catch (err) {
    answer = fail(err);
  }
  return webResponse(answer);
}
