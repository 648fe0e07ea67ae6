// The one HTTP core's data: what every handler family (MLflow REST, OTLP) takes in and gives back. Plain
// data, so node:http (lib/http/api-node.ts, otlp-node.ts) and Next's route handlers (lib/http/web.ts) are
// thin adapters and neither has to fake the other's objects: building undici's Request/Headers/Response per
// call cost more CPU than the rest of a small request's handling (measured under bench:rest), which is why
// the node:http path exists at all.
import type { ServerResponse } from "node:http";
import { AccessDenied } from "../auth/guard";
import { asApiError } from "../errors";
import { stringifyJson } from "../mlflow/json";

/** Header names in lower case, as node:http parses them (a repeated header joined, set-cookie a list). */
export type HeaderMap = Record<string, string | string[] | undefined>;

export interface HttpRequest {
  /** upper case */
  method: string;
  /** path and query as sent (`/api/2.0/mlflow/experiments/get?experiment_id=1`) */
  url: string;
  headers: HeaderMap;
  /** the whole body, already read within its cap; null for GET and HEAD */
  body: Uint8Array | null;
}

/** An answer; a class only so that a handler's JSON value and a finished answer tell apart by instanceof. */
export class HttpAnswer {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[]>,
    /** text or bytes (sent with a Content-Length), a stream of chunks (sent chunked), or nothing */
    readonly body: string | Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null,
  ) {}
}

/** The first value of a header (HeaderMap or node:http's IncomingHttpHeaders), or null. */
export function headerValue(headers: HeaderMap, name: string): string | null {
  const v = headers[name];
  return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
}

const JSON_HEADERS = Object.freeze({ "content-type": "application/json" });

/** JSON (int64 kept exact, lib/mlflow/json.ts) with its content type. */
export function jsonAnswer(value: unknown, status = 200, headers?: Record<string, string>): HttpAnswer {
  return new HttpAnswer(status, headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS, stringifyJson(value ?? {}));
}

/** MLflow's error envelope, the one every route family answers with (spec §1.5). */
export function envelopeText(code: string, message: string): string {
  return JSON.stringify({ error_code: code, message });
}

export interface ErrorAnswerOptions {
  /** WWW-Authenticate of a 401 (API clients get a Basic challenge; the UI's fetches none, or browsers prompt) */
  challenge?: string;
  /** headers every answer of the family carries (the account routes' Cache-Control) */
  headers?: Record<string, string>;
}

/**
 * The one serializer of failures: an access refusal 401/403, anything else as asApiError maps it (ApiError as
 * it is, database outage 503 + Retry-After, statement timeout 504, refused data 400, else a 500 that leaks
 * nothing), all in `{"error_code", "message"}`.
 */
export function errorAnswer(err: unknown, where: string, opts: ErrorAnswerOptions = {}): HttpAnswer {
  let status: number;
  let code: string;
  let message: string;
  let headers: Record<string, string> | undefined;
  if (err instanceof AccessDenied) {
    status = err.status;
    code = err.status === 401 ? "UNAUTHENTICATED" : "PERMISSION_DENIED";
    message = err.message;
    if (err.status === 401 && opts.challenge) headers = { "www-authenticate": opts.challenge };
  } else {
    const e = asApiError(err, where);
    ({ status, code, message } = e);
    headers = e.headers;
  }
  return new HttpAnswer(status, { ...opts.headers, ...headers, "content-type": "application/json" }, envelopeText(code, message));
}

/**
 * Writes a small text or bytes answer as it is, with its Content-Length: the node:http answers that are never
 * worth compressing (OTLP's, early refusals, the last-resort 500). Route answers go through writeResponse.
 */
export function writeSmallAnswer(res: ServerResponse, a: HttpAnswer): void {
  const body = typeof a.body === "string" ? Buffer.from(a.body) : a.body instanceof Uint8Array ? a.body : new Uint8Array(0);
  res.writeHead(a.status, { ...a.headers, "content-length": body.byteLength });
  res.end(body);
}
