// Also served ahead of Next by lib/http/api-node.ts; this route answers under `--dev`.
import { probeResponse } from "@/lib/version";

export const dynamic = "force-dynamic";

export function GET() {
  return probeResponse("/version");
}
