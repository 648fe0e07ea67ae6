// MLflow UpdateUserPassword (the user themself or an admin).
import { mlflowParams, requiredString, selfOrAdminFromRequest } from "@/lib/auth/mlflow-users";
import { authRoute, json, requirePrincipal } from "@/lib/auth/route";
import { setPassword } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

export const PATCH = authRoute(selfOrAdminFromRequest, async ({ req, principal, actor }) => {
  requirePrincipal(principal);
  const p = await mlflowParams(req);
  await setPassword(requiredString(p, "username"), requiredString(p, "password"), actor);
  return json({});
});
