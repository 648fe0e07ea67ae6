import { emptyOtlpResponse } from "@/lib/http/otlp";

export const dynamic = "force-dynamic";

// Collectors send metrics and logs alongside traces; a 404/405 here breaks their pipelines.
export async function POST(req: Request): Promise<Response> {
  await req.arrayBuffer().catch(() => undefined);
  const r = emptyOtlpResponse(req.headers.get("content-type"));
  return new Response(r.body as BodyInit, { status: r.status, headers: { "content-type": r.contentType } });
}
