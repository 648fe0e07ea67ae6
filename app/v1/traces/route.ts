import { authorize } from "@/lib/auth/guard";
import { handleOtlpTracesRequest } from "@/lib/tracing/otlp-http";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handleOtlpTracesRequest(req, (experimentId) => authorize(req, { kind: "experiment", level: "EDIT", experimentId }));
}
