// Readiness: 200 "OK" when the database answers, else 503 + Retry-After. `npm start` serves it ahead of Next
// (lib/server/serve.ts); this route answers what the server leaves to Next. /health (app/health) is liveness only.
import { databaseReady } from "@/lib/db";

export const dynamic = "force-dynamic";

export async function GET() {
  const r = await databaseReady(2000);
  if (r.ok) return new Response("OK", { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  return new Response(`database unavailable: ${r.reason}`, {
    status: 503,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "retry-after": "2" },
  });
}
