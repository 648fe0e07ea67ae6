// MLflow UpdateExperimentPermission (MANAGE on the experiment, audited) (lib/auth/mlflow-users.ts).
import { mlflowUserRoutes } from "@/lib/auth/mlflow-users";

export const dynamic = "force-dynamic";

export const PATCH = (req: Request) => mlflowUserRoutes.updatePermission(req, {});
