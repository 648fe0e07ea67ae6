// Every MLflow REST route (/api/2.0/mlflow/…, /api/3.0/mlflow/…, /api/2.0/mlflow-artifacts/…), and
// ENDPOINT_NOT_FOUND for any other /api path. /ajax-api/… arrives here through the rewrite.
import { handleApiRequest } from "@/lib/mlflow/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ path: string[] }> };

async function handle(req: Request, ctx: Ctx): Promise<Response> {
  const { path } = await ctx.params;
  return handleApiRequest(req, path);
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE };
