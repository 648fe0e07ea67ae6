import { invalidParameter } from "@/lib/errors";
import { tracesChangedSince } from "@/lib/store/trace-view";
import { uiRoute } from "../../../../handler";

export const dynamic = "force-dynamic";

/** The table's live-update poll: how many traces were written after ?since=<updated_at ms>. */
export const GET = uiRoute<{ experimentId: string }>(
  (p) => ({ kind: "experiment", level: "READ", experimentId: p.experimentId }),
  async (_req, p, url) => {
    const since = Number(url.searchParams.get("since") ?? "0");
    if (!Number.isFinite(since)) throw invalidParameter("'since' must be a number of milliseconds");
    return tracesChangedSince(p.experimentId, since);
  },
);
