import { getSpanSkeletonJson } from "@/lib/store/trace-view";
import { jsonTextAnswer, uiRoute } from "../../../handler";

export const dynamic = "force-dynamic";

/** The span skeleton of a trace (tree + timeline, no payloads). */
export const GET = uiRoute<{ traceId: string }>(
  (p) => ({ kind: "trace", level: "READ", traceId: p.traceId }),
  async (_req, p) => jsonTextAnswer(await getSpanSkeletonJson(p.traceId)),
);
