import { getUser } from "@/lib/store/users";
import { uiRoute } from "../../../../handler";

export const dynamic = "force-dynamic";

/** One user's totals. */
export const GET = uiRoute<{ experimentId: string; userId: string }>(
  (p) => ({ kind: "experiment", level: "READ", experimentId: p.experimentId }),
  (_req, p) => getUser(p.experimentId, p.userId),
);
