// MLflow GetExperimentPermission (MANAGE on the experiment).
import { manageExperimentFromRequest, mlflowParams, mlflowPermissionJson, requiredString } from "@/lib/auth/mlflow-users";
import { getExperimentPermission } from "@/lib/auth/permissions";
import { authRoute, json, requirePrincipal } from "@/lib/auth/route";

export const dynamic = "force-dynamic";

export const GET = authRoute(manageExperimentFromRequest, async ({ req, principal }) => {
  requirePrincipal(principal);
  const p = await mlflowParams(req);
  return json(mlflowPermissionJson(await getExperimentPermission(requiredString(p, "experiment_id"), requiredString(p, "username"))));
});
