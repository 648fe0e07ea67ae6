import { listTracesForUi } from "@/lib/store/trace-view";
import { uiRoute } from "../../../handler";

export const dynamic = "force-dynamic";

/** One page of the traces table: ?filter=&order=&range=&page_token=&size= */
export const GET = uiRoute<{ experimentId: string }>(
  (p) => ({ kind: "experiment", level: "READ", experimentId: p.experimentId }),
  (_req, p, url) =>
    listTracesForUi({
      experimentId: p.experimentId,
      filter: url.searchParams.get("filter") ?? undefined,
      order: url.searchParams.get("order") ?? undefined,
      range: url.searchParams.get("range") ?? undefined,
      pageToken: url.searchParams.get("page_token") ?? undefined,
      size: Number(url.searchParams.get("size") ?? 50) || 50,
      now: Number(url.searchParams.get("now")) || undefined,
    }),
);
