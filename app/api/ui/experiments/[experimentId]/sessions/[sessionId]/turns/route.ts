import { pageQuery } from "@/lib/store/sessions-query";
import { listSessionTurns } from "@/lib/store/sessions";
import { uiRoute } from "../../../../../handler";

export const dynamic = "force-dynamic";

/** One keyset page of a session's turns, oldest first: ?page_token=&size= */
export const GET = uiRoute<{ experimentId: string; sessionId: string }>(
  (p) => ({ kind: "experiment", level: "READ", experimentId: p.experimentId }),
  (_req, p, url) => listSessionTurns(p.experimentId, p.sessionId, pageQuery(url.searchParams)),
);
