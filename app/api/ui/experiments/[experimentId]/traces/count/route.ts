import { countTracesForUi } from "@/lib/store/trace-view";
import { uiRoute } from "../../../../handler";

export const dynamic = "force-dynamic";

/** Exact number of traces matching the table's filter: ?filter=&range=&now= */
export const GET = uiRoute<{ experimentId: string }>(
  (p) => ({ kind: "experiment", level: "READ", experimentId: p.experimentId }),
  async (_req, p, url) => ({
    count: await countTracesForUi({
      experimentId: p.experimentId,
      filter: url.searchParams.get("filter") ?? undefined,
      range: url.searchParams.get("range") ?? undefined,
      now: Number(url.searchParams.get("now")) || undefined,
    }),
  }),
);
