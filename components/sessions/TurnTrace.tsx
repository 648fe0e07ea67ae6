"use client";
// A turn expanded in place into its full trace view (span tree, timeline, payloads, assessments), in a
// fixed-height frame so the transcript's virtualizer measures it once.
import { TraceView } from "@/components/traces/TraceView";

export function TurnTrace({ traceId }: { traceId: string }) {
  return (
    <div className="flex h-[640px] flex-col overflow-hidden rounded-b-xl" data-testid="turn-trace">
      <TraceView traceId={traceId} showAssessments={false} />
    </div>
  );
}
