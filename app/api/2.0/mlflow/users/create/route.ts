// MLflow CreateUser (admin).
import { mlflowParams, mlflowUserJson, requiredString } from "@/lib/auth/mlflow-users";
import { authRoute, json, requirePrincipal } from "@/lib/auth/route";
import { createUser } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

export const POST = authRoute({ kind: "admin" }, async ({ req, principal, actor }) => {
  requirePrincipal(principal);
  const p = await mlflowParams(req);
  const u = await createUser({ username: requiredString(p, "username"), password: requiredString(p, "password") }, actor);
  return json(await mlflowUserJson(u));
});
