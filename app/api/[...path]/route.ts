// Every MLflow REST route (/api/2.0/mlflow/…, /api/3.0/mlflow/…, /api/2.0/mlflow-artifacts/…), and
// ENDPOINT_NOT_FOUND for any other /api path. /ajax-api/… arrives here through the rewrite. The production
// server answers these paths ahead of Next with the same handler (lib/server/api-node.ts); this route
// serves `next dev` and the paths the fast path leaves to Next (e.g. with a trailing slash after its redirect).
import { handleApiRequest } from "@/lib/mlflow/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ path: string[] }> };

async function handle(req: Request, ctx: Ctx): Promise<Response> {
  const { path } = await ctx.params;
  return handleApiRequest(req, path);
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE };
