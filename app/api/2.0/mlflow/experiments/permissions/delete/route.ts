// MLflow DeleteExperimentPermission (MANAGE on the experiment), audited.
import { manageExperimentFromRequest, mlflowParams, requiredString } from "@/lib/auth/mlflow-users";
import { deleteExperimentPermission } from "@/lib/auth/permissions";
import { authRoute, json, requirePrincipal } from "@/lib/auth/route";

export const dynamic = "force-dynamic";

export const DELETE = authRoute(manageExperimentFromRequest, async ({ req, principal, actor }) => {
  requirePrincipal(principal);
  const p = await mlflowParams(req);
  await deleteExperimentPermission(requiredString(p, "experiment_id"), requiredString(p, "username"), actor);
  return json({});
});
