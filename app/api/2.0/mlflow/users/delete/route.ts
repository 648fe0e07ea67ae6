// MLflow DeleteUser (admin).
import { mlflowParams, requiredString } from "@/lib/auth/mlflow-users";
import { authRoute, json, requirePrincipal } from "@/lib/auth/route";
import { deleteUser } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

export const DELETE = authRoute({ kind: "admin" }, async ({ req, principal, actor }) => {
  requirePrincipal(principal);
  await deleteUser(requiredString(await mlflowParams(req), "username"), actor);
  return json({});
});
