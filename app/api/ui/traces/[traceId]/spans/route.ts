import { getSpanSkeleton } from "@/lib/store/trace-view";
import { uiRoute } from "../../../handler";

export const dynamic = "force-dynamic";

/** The span skeleton of a trace (tree + timeline, no payloads). */
export const GET = uiRoute<{ traceId: string }>(
  (p) => ({ kind: "trace", level: "READ", traceId: p.traceId }),
  (_req, p) => getSpanSkeleton(p.traceId),
);
