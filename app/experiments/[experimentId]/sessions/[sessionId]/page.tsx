import { notFound } from "next/navigation";
import { SessionView } from "@/components/sessions/SessionView";
import { ApiError } from "@/lib/errors";
import { getSession, listSessionFeedback, listSessionTurns, TURN_PAGE_SIZE } from "@/lib/store/sessions";

export const dynamic = "force-dynamic";

type Params = Promise<{ experimentId: string; sessionId: string }>;

export async function generateMetadata({ params }: { params: Params }) {
  const { sessionId } = await params;
  return { title: `Session ${decodeURIComponent(sessionId)}` };
}

// The summary, the feedback and the first page of turns are rendered on the server; later pages of turns
// load in the browser as the transcript scrolls.
export default async function SessionRoute({ params }: { params: Params }) {
  const { experimentId, sessionId: raw } = await params;
  const sessionId = decodeURIComponent(raw);
  try {
    const [session, feedback, turns] = await Promise.all([
      getSession(experimentId, sessionId),
      listSessionFeedback(experimentId, sessionId),
      listSessionTurns(experimentId, sessionId, { pageSize: TURN_PAGE_SIZE }),
    ]);
    return <SessionView experimentId={experimentId} sessionId={sessionId} initialDetail={{ session, feedback }} initialTurns={turns} />;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) notFound();
    throw err;
  }
}
