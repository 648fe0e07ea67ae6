// Also served ahead of Next by lib/server/api-node.ts; this route answers under `--dev`.
import { probeResponse } from "@/lib/version";

export const dynamic = "force-dynamic";

export function GET() {
  return probeResponse("/version");
}
