// MLflow UpdateUserPassword (the user themself or an admin) (lib/auth/mlflow-users.ts).
import { mlflowUserRoutes } from "@/lib/auth/mlflow-users";

export const dynamic = "force-dynamic";

export const PATCH = (req: Request) => mlflowUserRoutes.updatePassword(req, {});
