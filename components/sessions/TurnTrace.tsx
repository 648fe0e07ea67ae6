"use client";
// A turn expanded into its trace. Placeholder until the trace view component is available on main.
import Link from "next/link";
import { traceHref } from "./urlState";

export function TurnTrace({ experimentId, traceId }: { experimentId: string; traceId: string }) {
  return (
    <div className="p-4 text-sm">
      <Link href={traceHref(experimentId, traceId)} className="text-indigo-700 hover:underline">
        Open trace {traceId}
      </Link>
    </div>
  );
}
