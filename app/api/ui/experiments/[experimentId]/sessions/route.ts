import { parseSessionListQuery } from "@/lib/store/sessions-query";
import { listSessions } from "@/lib/store/sessions";
import { uiRoute } from "../../../handler";

export const dynamic = "force-dynamic";

/** One page of the Sessions table: ?q=&user=&from=&to=&errors=&sort=&dir=&page_token=&size= */
export const GET = uiRoute<{ experimentId: string }>(
  (p) => ({ kind: "experiment", level: "READ", experimentId: p.experimentId }),
  (_req, p, url) => listSessions({ experimentId: p.experimentId, ...parseSessionListQuery(url.searchParams) }),
);
