// MLflow GetUser (the user themself or an admin).
import { mlflowParams, mlflowUserJson, requiredString, selfOrAdminFromRequest } from "@/lib/auth/mlflow-users";
import { authRoute, json, requirePrincipal } from "@/lib/auth/route";
import { requireUserByName } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

export const GET = authRoute(selfOrAdminFromRequest, async ({ req, principal }) => {
  requirePrincipal(principal);
  return json(await mlflowUserJson(await requireUserByName(requiredString(await mlflowParams(req), "username"))));
});
