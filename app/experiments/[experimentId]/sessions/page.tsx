import { SessionsTable } from "@/components/sessions/SessionsTable";
import { ApiError } from "@/lib/errors";
import { hasSessions, listSessions, type Page, type SessionListRow } from "@/lib/store/sessions";
import { parseSessionListQuery, sessionListKey } from "@/lib/store/sessions-query";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sessions" };

// First paint on the server: the first page for the URL's search, filters and sort.
export default async function SessionsRoute({ params, searchParams }: { params: Promise<{ experimentId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { experimentId } = await params;
  const sp = await searchParams;
  let initial: Page<SessionListRow> | null = null;
  try {
    initial = await listSessions({ experimentId, ...parseSessionListQuery(sp), pageSize: 50, pageToken: undefined });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err; // the client shows the error after its own request
  }
  const any = initial?.items.length ? true : await hasSessions(experimentId);
  return <SessionsTable experimentId={experimentId} initial={initial} initialKey={sessionListKey(sp)} hasAnySessions={any} />;
}
