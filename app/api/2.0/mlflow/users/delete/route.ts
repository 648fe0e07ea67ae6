// MLflow DeleteUser (admin) (lib/auth/mlflow-users.ts).
import { mlflowUserRoutes } from "@/lib/auth/mlflow-users";

export const dynamic = "force-dynamic";

export const DELETE = (req: Request) => mlflowUserRoutes.deleteUser(req, {});
