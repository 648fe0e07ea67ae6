// The single authorization hook every route family calls (MLflow REST wrapper, OTLP route, UI API routes,
// pages). Each route declares what it needs; this module decides. Without --auth (the default, like
// `mlflow server`) every request is allowed; issue #7 implements accounts, credentials and permissions here.

export type PermissionLevel = "READ" | "EDIT" | "MANAGE";

export type Access =
  | { kind: "public" } // /health, /version, login page
  | { kind: "authenticated" } // any signed-in user or valid API credential
  | { kind: "experiment"; level: PermissionLevel; experimentId: string | bigint }
  | { kind: "trace"; level: PermissionLevel; traceId: string } // resolved through the trace's experiment
  | { kind: "admin" };

export class AccessDenied extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

export function authEnabled(): boolean {
  return process.env.FLOWTRACE_AUTH === "1" || process.env.FLOWTRACE_AUTH === "true";
}

/** Throws AccessDenied (401 without valid credentials, 403 without permission). */
export async function authorize(_req: Request, _access: Access): Promise<void> {
  if (!authEnabled()) return;
  throw new AccessDenied(401, "Authentication is enabled but accounts are not available in this build");
}
