// MLflow's user and permission REST API (mlflow/server/auth: /api/2.0/mlflow/users/…,
// /api/2.0/mlflow/experiments/permissions/…), same JSON shapes, over our accounts.
import { invalidParameter } from "../errors";
import { permissionsOfUser, type ExperimentPermissionView } from "./permissions";
import type { Access } from "./guard";
import type { UserRecord } from "./users";

export async function mlflowUserJson(u: UserRecord) {
  return {
    user: {
      id: Number(u.id),
      username: u.username,
      is_admin: u.isAdmin,
      experiment_permissions: (await permissionsOfUser(u.id)).map((p) => ({ ...p, user_id: Number(u.id) })),
      registered_model_permissions: [],
    },
  };
}

export function mlflowPermissionJson(p: ExperimentPermissionView) {
  return { experiment_permission: { experiment_id: p.experiment_id, user_id: Number(p.user_id), permission: p.permission } };
}

/** The request's parameters: query string for GET, JSON body otherwise (read from a clone). */
export async function mlflowParams(req: Request): Promise<Record<string, unknown>> {
  if (req.method === "GET" || req.method === "HEAD") return Object.fromEntries(new URL(req.url).searchParams);
  const text = await req.clone().text();
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
  } catch {
    /* below */
  }
  throw invalidParameter("Request body is not a JSON object");
}

export function requiredString(params: Record<string, unknown>, name: string): string {
  const v = params[name];
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number") return String(v);
  throw invalidParameter(`Missing value for required parameter '${name}'.`);
}

/** Access for the experiment permission endpoints: MANAGE on the experiment named in the request. */
export async function manageExperimentFromRequest(req: Request): Promise<Access> {
  const params = await mlflowParams(req);
  return { kind: "experiment", level: "MANAGE", experimentId: requiredString(params, "experiment_id") };
}

/** Access for "this user or an admin" endpoints. */
export async function selfOrAdminFromRequest(req: Request): Promise<Access> {
  return { kind: "user", username: requiredString(await mlflowParams(req), "username") };
}
