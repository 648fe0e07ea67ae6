// Every MLflow REST route (/api/2.0/mlflow/…, /api/3.0/mlflow/…, /api/2.0/mlflow-artifacts/…), and
// ENDPOINT_NOT_FOUND for any other /api path. /ajax-api/… arrives here through the rewrite. The server answers
// these paths on node:http with the same core (lib/http/api-node.ts); this adapter serves the paths it
// leaves to Next (e.g. with a trailing slash after its redirect).
import { handleApiRequest } from "@/lib/mlflow/api";
import { webRoute } from "@/lib/mlflow/route";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ path: string[] }> };

async function handle(req: Request, ctx: Ctx): Promise<Response> {
  const { path } = await ctx.params;
  return webRoute((r) => handleApiRequest(r, path))(req);
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE };
