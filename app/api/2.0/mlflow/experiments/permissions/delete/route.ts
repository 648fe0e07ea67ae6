// MLflow DeleteExperimentPermission (MANAGE on the experiment, audited) (lib/auth/mlflow-users.ts).
import { mlflowUserRoutes } from "@/lib/auth/mlflow-users";

export const dynamic = "force-dynamic";

export const DELETE = (req: Request) => mlflowUserRoutes.deletePermission(req, {});
