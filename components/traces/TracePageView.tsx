"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { IconChevronLeft, IconChevronRight } from "@/components/ui/Icons";
import type { TraceHeader } from "@/lib/store/trace-view";
import { TraceView } from "./TraceView";
import { useUrlState } from "@/components/useUrlState";

/** The trace view as a full page, with newer/older navigation inside the experiment. */
export function TracePageView({ header, newer, older }: { header: TraceHeader; newer: string | null; older: string | null }) {
  const { params, set } = useUrlState();
  const router = useRouter();
  const base = `/experiments/${header.experimentId}/traces`;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest("input, textarea, select, dialog, [role=tree]") || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === "k" && newer) router.push(`${base}/${newer}`);
      if (e.key === "j" && older) router.push(`${base}/${older}`);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [newer, older, base, router]);
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex h-9 shrink-0 items-center gap-2 border-b border-slate-200 bg-slate-50 px-4 text-xs text-slate-600">
        <Link prefetch={false} href={base} className="inline-flex items-center gap-1 hover:text-slate-900">
          <IconChevronLeft size={13} /> All traces
        </Link>
        <div className="ml-auto flex items-center gap-1">
          {newer ? (
            <Link prefetch={false} href={`${base}/${newer}`} className="inline-flex items-center gap-1 rounded px-2 py-1 hover:bg-slate-200" title="Newer trace (k)">
              <IconChevronLeft size={13} /> Newer
            </Link>
          ) : (
            <span className="px-2 py-1 text-slate-300">Newer</span>
          )}
          {older ? (
            <Link prefetch={false} href={`${base}/${older}`} className="inline-flex items-center gap-1 rounded px-2 py-1 hover:bg-slate-200" title="Older trace (j)">
              Older <IconChevronRight size={13} />
            </Link>
          ) : (
            <span className="px-2 py-1 text-slate-300">Older</span>
          )}
        </div>
      </div>
      <TraceView traceId={header.traceId} initialHeader={header} spanId={params.get("span")} onSpanChange={(id) => set({ span: id })} />
    </div>
  );
}
