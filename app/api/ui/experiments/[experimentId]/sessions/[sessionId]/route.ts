import { getSession, listSessionFeedback } from "@/lib/store/sessions";
import { uiRoute } from "../../../../handler";

export const dynamic = "force-dynamic";

/** A session's summary and its session-level feedback. */
export const GET = uiRoute<{ experimentId: string; sessionId: string }>(
  (p) => ({ kind: "experiment", level: "READ", experimentId: p.experimentId }),
  async (_req, p) => {
    const [session, feedback] = await Promise.all([getSession(p.experimentId, p.sessionId), listSessionFeedback(p.experimentId, p.sessionId)]);
    return { session, feedback };
  },
);
