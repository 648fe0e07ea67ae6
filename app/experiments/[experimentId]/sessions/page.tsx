import { SessionsTable } from "@/components/sessions/SessionsTable";
import { hasSessions, listSessions } from "@/lib/store/sessions";
import { parseSessionListQuery, sessionListKey } from "@/lib/store/sessions-query";
import { firstPageOrNull, type ExperimentListPageProps } from "../first-page-or-null";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sessions" };

// First paint on the server: the first page for the URL's search, filters and sort.
export default async function SessionsRoute({ params, searchParams }: ExperimentListPageProps) {
  const { experimentId } = await params;
  const sp = await searchParams;
  const initial = await firstPageOrNull(() => listSessions({ experimentId, ...parseSessionListQuery(sp), pageSize: 50, pageToken: undefined }));
  const any = initial?.items.length ? true : await hasSessions(experimentId);
  return <SessionsTable experimentId={experimentId} initial={initial} initialKey={sessionListKey(sp)} hasAnySessions={any} />;
}
