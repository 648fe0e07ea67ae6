import { searchSpansInTrace } from "@/lib/store/trace-view";
import { uiRoute } from "../../../handler";

export const dynamic = "force-dynamic";

/** Spans of one trace whose name, type or content contains ?q= */
export const GET = uiRoute<{ traceId: string }>(
  (p) => ({ kind: "trace", level: "READ", traceId: p.traceId }),
  async (_req, p, url) => {
    const q = (url.searchParams.get("q") ?? "").trim();
    return { spanIds: q ? await searchSpansInTrace(p.traceId, q) : [] };
  },
);
