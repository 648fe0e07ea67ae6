import { notFound } from "@/lib/errors";
import { getTraceHeader } from "@/lib/store/trace-view";
import { uiRoute } from "../../handler";

export const dynamic = "force-dynamic";

/** The trace view's header: info, metadata, tags, assessments (no spans). */
export const GET = uiRoute<{ traceId: string }>(
  (p) => ({ kind: "trace", level: "READ", traceId: p.traceId }),
  async (_req, p) => {
    const t = await getTraceHeader(p.traceId);
    if (!t) throw notFound(`Trace with ID '${p.traceId}' not found`);
    return t;
  },
);
