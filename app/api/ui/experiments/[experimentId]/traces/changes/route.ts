import { invalidParameter } from "@/lib/errors";
import { MAX_TIME_MS } from "@/lib/input-limits";
import { tracesChangedSince } from "@/lib/store/trace-view";
import { uiRoute } from "../../../../handler";

export const dynamic = "force-dynamic";

/** The table's live-update poll: how many traces were written after ?since=<updated_at ms>. */
export const GET = uiRoute<{ experimentId: string }>(
  (p) => ({ kind: "experiment", level: "READ", experimentId: p.experimentId }),
  async (_req, p, url) => {
    const since = Number(url.searchParams.get("since") ?? "0");
    // compared with a bigint column: beyond what it holds is a client's mistake, not a query to run
    if (!Number.isFinite(since) || Math.abs(since) > Number(MAX_TIME_MS)) throw invalidParameter(`'since' must be a number of milliseconds, at most ${MAX_TIME_MS}`);
    return tracesChangedSince(p.experimentId, since);
  },
);
