// MLflow CreateExperimentPermission (MANAGE on the experiment), audited.
import { manageExperimentFromRequest, mlflowParams, mlflowPermissionJson, requiredString } from "@/lib/auth/mlflow-users";
import { setExperimentPermission } from "@/lib/auth/permissions";
import { authRoute, json, requirePrincipal } from "@/lib/auth/route";

export const dynamic = "force-dynamic";

export const POST = authRoute(manageExperimentFromRequest, async ({ req, principal, actor }) => {
  requirePrincipal(principal);
  const p = await mlflowParams(req);
  const view = await setExperimentPermission(requiredString(p, "experiment_id"), requiredString(p, "username"), p.permission, actor, "create");
  return json(mlflowPermissionJson(view));
});
