// The wrapper of the account routes (app/api/auth/*, the MLflow users and permissions endpoints):
// authorize, run, and map errors to MLflow's envelope {"error_code", "message"} with MLflow's statuses.
// Unknown errors become a generic 500: no stack traces or SQL reach clients.
import { ApiError } from "../errors";
import { readStreamCapped } from "../http/body";
import { errorAnswer } from "../http/exchange";
import { webResponse } from "../http/web";
import { assertNoNul } from "../input-limits";
import { bodyTooLarge, maxBodyBytes, parseJsonBody } from "../mlflow/route";
import { authorize, type Access } from "./guard";
import { SignInThrottled } from "./rate-limit";
import { getPrincipal, type Principal } from "./session";
import { WWW_AUTHENTICATE } from "./gate";

const NO_STORE = { "cache-control": "no-store" };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...NO_STORE, ...headers } });
}

export function errorResponse(err: unknown): Response {
  const e = err instanceof SignInThrottled ? new ApiError("REQUEST_LIMIT_EXCEEDED", err.message, 429, { "retry-after": String(err.retryAfterS) }) : err;
  // a database outage answers 503 + Retry-After here too (it was a 500)
  return webResponse(errorAnswer(e, "account route", { challenge: WWW_AUTHENTICATE, headers: NO_STORE }));
}

export interface AuthContext<P> {
  req: Request;
  params: P;
  /** the caller (null only when auth is off) */
  principal: Principal | null;
  /** name for audit records */
  actor: string | null;
}

const notAnObject = () => new ApiError("MALFORMED_REQUEST", "Request body is not a JSON object", 400);

/** Parses a JSON body (empty = {}) within the MLflow body limit; bad JSON is a 400 MLflow error. */
export async function readJson(req: Request): Promise<Record<string, unknown>> {
  const bytes = await readStreamCapped(req.body, maxBodyBytes(), bodyTooLarge, req.headers.get("content-length"));
  const v = parseJsonBody(bytes, req.headers.get("content-type"), notAnObject);
  // names and passwords reach PostgreSQL text columns, which cannot hold U+0000
  assertNoNul(v);
  return v;
}

export function authRoute<P = Record<string, string>>(
  access: Access | ((req: Request, params: P) => Access | Promise<Access>),
  run: (ctx: AuthContext<P>) => Promise<Response> | Response,
) {
  return async (req: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const params = ((await ctx?.params) ?? {}) as P;
      assertNoNul(params as Record<string, unknown>);
      await authorize(req, typeof access === "function" ? await access(req, params) : access);
      const principal = await getPrincipal(req);
      return await run({ req, params, principal, actor: principal?.username ?? null });
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** For routes that only make sense with accounts. */
export function requirePrincipal(p: Principal | null): Principal {
  if (!p) throw new ApiError("FEATURE_DISABLED", "Accounts are not enabled on this server (start it with --auth)", 400);
  return p;
}
