import { parseUserListQuery } from "@/lib/store/sessions-query";
import { listUsers } from "@/lib/store/users";
import { uiRoute } from "../../../handler";

export const dynamic = "force-dynamic";

/** One page of the Users table: ?q=&sort=&dir=&page_token=&size= */
export const GET = uiRoute<{ experimentId: string }>(
  (p) => ({ kind: "experiment", level: "READ", experimentId: p.experimentId }),
  (_req, p, url) => listUsers({ experimentId: p.experimentId, ...parseUserListQuery(url.searchParams) }),
);
