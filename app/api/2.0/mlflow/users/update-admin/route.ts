// MLflow UpdateUserAdmin (admin) (lib/auth/mlflow-users.ts).
import { mlflowUserRoutes } from "@/lib/auth/mlflow-users";
import { webRoute } from "@/lib/mlflow/route";

export const dynamic = "force-dynamic";

export const PATCH = webRoute(mlflowUserRoutes.updateAdmin);
