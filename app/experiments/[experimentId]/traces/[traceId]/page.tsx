import { notFound } from "next/navigation";
import { TracePageView } from "@/components/traces/TracePageView";
import { authorizePage } from "@/lib/auth/page";
import { getNeighborTraceIds, getTraceHeader } from "@/lib/store/trace-view";

export const dynamic = "force-dynamic";

export default async function TraceRoute({ params }: { params: Promise<{ experimentId: string; traceId: string }> }) {
  const { experimentId, traceId } = await params;
  await authorizePage({ kind: "experiment", level: "READ", experimentId }, `/experiments/${experimentId}/traces/${traceId}`);
  const header = await getTraceHeader(decodeURIComponent(traceId));
  if (!header || header.experimentId !== experimentId) notFound();
  const neighbors = await getNeighborTraceIds(experimentId, header.traceId, header.requestTime);
  return <TracePageView header={header} newer={neighbors.newer} older={neighbors.older} />;
}

export async function generateMetadata({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId } = await params;
  return { title: `Trace ${decodeURIComponent(traceId)}` };
}
