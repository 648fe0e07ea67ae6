// MLflow GetExperimentPermission (MANAGE on the experiment) (lib/auth/mlflow-users.ts).
import { mlflowUserRoutes } from "@/lib/auth/mlflow-users";

export const dynamic = "force-dynamic";

export const GET = (req: Request) => mlflowUserRoutes.getPermission(req, {});
