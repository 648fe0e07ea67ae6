import { getSpanPayload } from "@/lib/store/trace-view";
import { uiRoute } from "../../../../handler";

export const dynamic = "force-dynamic";

/** One span with attributes, events, inputs and outputs; values past ?limit= characters are cut. */
export const GET = uiRoute<{ traceId: string; spanId: string }>(
  (p) => ({ kind: "trace", level: "READ", traceId: p.traceId }),
  (_req, p, url) => {
    const limit = Number(url.searchParams.get("limit") ?? "") || 1_000_000;
    return getSpanPayload(p.traceId, p.spanId, Math.min(Math.max(limit, 1000), 200_000_000));
  },
);
