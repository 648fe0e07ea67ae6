import { notFound } from "next/navigation";
import { isExperimentId } from "@/lib/experiment-id";
import { cache } from "react";
import { ExperimentHeader } from "@/components/experiments/ExperimentHeader";
import { authorizePage } from "@/lib/auth/page";
import { getExperimentHeader } from "@/lib/store/trace-view";

const loadExperiment = cache(getExperimentHeader);

export default async function ExperimentLayout({ children, params }: { children: React.ReactNode; params: Promise<{ experimentId: string }> }) {
  const { experimentId } = await params;
  if (!isExperimentId(experimentId)) notFound();
  await authorizePage({ kind: "experiment", level: "READ", experimentId }, `/experiments/${experimentId}`);
  const experiment = await loadExperiment(experimentId);
  if (!experiment || experiment.lifecycleStage !== "active") notFound();
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <ExperimentHeader experiment={experiment} />
      <div className="flex min-h-0 flex-1 flex-col">{children}</div>
    </div>
  );
}

export async function generateMetadata({ params }: { params: Promise<{ experimentId: string }> }) {
  const { experimentId } = await params;
  const e = await loadExperiment(experimentId);
  return { title: e ? e.name : "Experiment not found" };
}
