import { MLFLOW_COMPAT_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

export function GET() {
  return new Response(MLFLOW_COMPAT_VERSION, { headers: { "content-type": "text/plain; charset=utf-8" } });
}
