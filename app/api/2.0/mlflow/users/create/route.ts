// MLflow CreateUser (admin) (lib/auth/mlflow-users.ts).
import { mlflowUserRoutes } from "@/lib/auth/mlflow-users";

export const dynamic = "force-dynamic";

export const POST = (req: Request) => mlflowUserRoutes.createUser(req, {});
