// MLflow UpdateUserAdmin (admin).
import { mlflowParams, requiredString } from "@/lib/auth/mlflow-users";
import { authRoute, json, requirePrincipal } from "@/lib/auth/route";
import { updateUser } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

export const PATCH = authRoute({ kind: "admin" }, async ({ req, principal, actor }) => {
  requirePrincipal(principal);
  const p = await mlflowParams(req);
  const v = p.is_admin;
  await updateUser(requiredString(p, "username"), { isAdmin: v === true || v === "true" || v === "True" }, actor);
  return json({});
});
