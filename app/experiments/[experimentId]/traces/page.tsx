import { TracesPage } from "@/components/traces/TracesPage";
import { authorizePage } from "@/lib/auth/page";
import { ApiError } from "@/lib/errors";
import { getExperimentHeader, latestTraceUpdate, listTracesForUi, type TraceListRow } from "@/lib/store/trace-view";

export const dynamic = "force-dynamic";

const str = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);

// First paint on the server: the first page for the URL's filter and order. Counting, polling, paging and
// everything interactive then run in the client through /api/ui.
export default async function TracesRoute({ params, searchParams }: { params: Promise<{ experimentId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { experimentId } = await params;
  await authorizePage({ kind: "experiment", level: "READ", experimentId }, `/experiments/${experimentId}/traces`);
  const sp = await searchParams;
  const now = Date.now();
  const query = {
    experimentId,
    filter: str(sp.filter),
    order: str(sp.order),
    range: str(sp.range),
    pageToken: str(sp.page_token),
    size: Number(str(sp.size)) || 50,
    now,
  };
  let initial: { rows: TraceListRow[]; nextPageToken: string | null } | null = null;
  let initialError: { code: string; message: string } | null = null;
  const [page, latest, experiment] = await Promise.all([
    listTracesForUi(query).catch((err) => {
      if (err instanceof ApiError) {
        initialError = { code: err.code, message: err.message };
        return null;
      }
      throw err;
    }),
    latestTraceUpdate(experimentId),
    getExperimentHeader(experimentId),
  ]);
  initial = page;
  return (
    <TracesPage
      experimentId={experimentId}
      experimentName={experiment?.name ?? ""}
      hasTraces={experiment?.hasTraces ?? false}
      initial={initial}
      initialError={initialError}
      initialLatest={latest}
      initialNow={now}
    />
  );
}
