// The wrapper of the account routes (app/api/auth/*, the MLflow users and permissions endpoints):
// authorize, run, and map errors to MLflow's envelope {"error_code", "message"} with MLflow's statuses.
// Unknown errors become a generic 500: no stack traces or SQL reach clients.
import { ApiError, asApiError } from "../errors";
import { assertJsonDepth, assertNoNul } from "../input-limits";
import { AccessDenied, authorize, type Access } from "./guard";
import { SignInThrottled } from "./rate-limit";
import { getPrincipal, type Principal } from "./session";
import { WWW_AUTHENTICATE } from "./gate";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });
}

export function errorResponse(err: unknown): Response {
  if (err instanceof SignInThrottled) {
    return json({ error_code: "REQUEST_LIMIT_EXCEEDED", message: err.message }, 429, { "retry-after": String(err.retryAfterS) });
  }
  if (err instanceof AccessDenied) {
    return err.status === 401
      ? json({ error_code: "UNAUTHENTICATED", message: err.message }, 401, { "www-authenticate": WWW_AUTHENTICATE })
      : json({ error_code: "PERMISSION_DENIED", message: err.message }, 403);
  }
  // a database outage answers 503 + Retry-After here too (it was a 500)
  const e = asApiError(err, "account route");
  return json({ error_code: e.code, message: e.message }, e.status, e.headers);
}

export interface AuthContext<P> {
  req: Request;
  params: P;
  /** the caller (null only when auth is off) */
  principal: Principal | null;
  /** name for audit records */
  actor: string | null;
}

/** Parses a JSON body (empty = {}); bad JSON is a 400 MLflow error. */
export async function readJson(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (!text) return {};
  assertJsonDepth(text);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (v && typeof v === "object" && !Array.isArray(v)) {
    // names and passwords reach PostgreSQL text columns, which cannot hold U+0000
    assertNoNul(v as Record<string, unknown>);
    return v as Record<string, unknown>;
  }
  throw new ApiError("MALFORMED_REQUEST", "Request body is not a JSON object", 400);
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
