"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { Button } from "@/components/ui/Button";
import { formatCount } from "@/components/ui/format";
import { useHydrated } from "@/components/ui/hydrated";
import { DateTime, RelativeTime } from "@/components/ui/Time";
import { IconArrowDown, IconArrowUp, IconFlask, IconMore, IconPlus, IconSearch } from "@/components/ui/Icons";
import { Menu } from "@/components/ui/Menu";
import { EmptyState, Spinner } from "@/components/ui/States";
import type { ExperimentSort, ExperimentSummary } from "@/lib/store/trace-view";
import { CreateExperimentDialog, DeleteExperimentDialog, RenameExperimentDialog } from "./ExperimentDialogs";

const COLUMNS: { key: ExperimentSort | null; label: string; className: string }[] = [
  { key: "name", label: "Name", className: "text-left" },
  { key: null, label: "ID", className: "text-left w-24" },
  { key: "traces", label: "Traces", className: "text-right w-28" },
  { key: "last_trace", label: "Last trace", className: "text-left w-40" },
  { key: "created", label: "Created", className: "text-left w-48" },
];

export function ExperimentsHome({ experiments, q, sort, dir }: { experiments: ExperimentSummary[]; q: string; sort: ExperimentSort; dir: "asc" | "desc" }) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const [query, setQuery] = useState(q);
  const [creating, setCreating] = useState(false);
  const hydrated = useHydrated();
  const [renaming, setRenaming] = useState<ExperimentSummary | null>(null);
  const [deleting, setDeleting] = useState<ExperimentSummary | null>(null);

  const navigate = (next: { q?: string; sort?: string; dir?: string }) => {
    const p = new URLSearchParams();
    const nq = next.q ?? q;
    const ns = next.sort ?? sort;
    const nd = next.dir ?? dir;
    if (nq) p.set("q", nq);
    if (ns !== "created") p.set("sort", ns);
    if (nd !== "desc") p.set("dir", nd);
    const s = p.toString();
    startTransition(() => router.replace(s ? `${pathname}?${s}` : pathname, { scroll: false }));
  };

  useEffect(() => {
    if (query === q) return;
    const t = setTimeout(() => navigate({ q: query }), 250);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  const toggleSort = (key: ExperimentSort) => navigate({ sort: key, dir: key === sort ? (dir === "asc" ? "desc" : "asc") : key === "name" ? "asc" : "desc" });
  const noneAtAll = experiments.length === 0 && !q;

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-6">
      <div className="mb-4 flex items-center gap-3">
        <h1 className="text-lg font-semibold tracking-tight">Experiments</h1>
        {!noneAtAll && <span className="text-sm text-slate-500">{formatCount(experiments.length)}{experiments.length >= 500 ? "+" : ""}</span>}
        {pending && <Spinner className="h-3.5 w-3.5" />}
        <div className="ml-auto flex items-center gap-2">
          {!noneAtAll && (
            <div className="relative">
              <IconSearch size={14} className="pointer-events-none absolute left-2.5 top-1/2 -translate-y-1/2 text-slate-400" />
              <input
                aria-label="Search experiments by name"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                placeholder="Search by name"
                className="h-8 w-64 rounded-md border border-slate-300 bg-white pl-8 pr-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/20"
              />
            </div>
          )}
          {/* (disabled until hydrated: a click before then would do nothing) */}
          <Button variant="primary" disabled={!hydrated} onClick={() => setCreating(true)}>
            <IconPlus size={14} /> Create
          </Button>
        </div>
      </div>

      {noneAtAll ? (
        <EmptyState
          icon={<IconFlask />}
          title="No experiments yet"
          action={
            <Button variant="primary" onClick={() => setCreating(true)}>
              <IconPlus size={14} /> Create experiment
            </Button>
          }
        >
          An experiment groups the traces of one application. Create one, or point an MLflow client at this server: traces without an experiment land in <em>Default</em>.
        </EmptyState>
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full table-fixed text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs font-medium text-slate-500">
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c.label} className={`px-4 py-2 font-medium ${c.className}`} aria-sort={c.key === sort ? (dir === "asc" ? "ascending" : "descending") : undefined}>
                    {c.key ? (
                      <button type="button" onClick={() => toggleSort(c.key!)} className={`inline-flex items-center gap-1 hover:text-slate-900 ${c.key === sort ? "text-slate-900" : ""}`}>
                        {c.label}
                        {c.key === sort && (dir === "asc" ? <IconArrowUp size={12} /> : <IconArrowDown size={12} />)}
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                ))}
                <th className="w-12" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {experiments.length === 0 && (
                <tr>
                  <td colSpan={6} className="px-4 py-10 text-center text-sm text-slate-500">
                    No experiment name contains “{q}”.{" "}
                    <button className="text-indigo-600 hover:underline" onClick={() => setQuery("")}>Clear search</button>
                  </td>
                </tr>
              )}
              {experiments.map((e) => (
                <tr key={e.id} className="group hover:bg-slate-50">
                  <td className="px-4 py-2.5">
                    <Link prefetch={false} href={`/experiments/${e.id}/traces`} className="block truncate font-medium text-slate-900 hover:text-indigo-700" title={e.name}>
                      {e.name}
                    </Link>
                    {e.description && <div className="truncate text-xs text-slate-500">{e.description}</div>}
                  </td>
                  <td className="px-4 py-2.5 font-mono text-xs text-slate-500">{e.id}</td>
                  <td className="px-4 py-2.5 text-right tabular-nums text-slate-700">{formatCount(e.traceCount)}</td>
                  <td className="px-4 py-2.5 text-slate-600">
                    <RelativeTime ms={e.lastTraceTime} empty={<span className="text-slate-400">No traces</span>} />
                  </td>
                  <td className="whitespace-nowrap px-4 py-2.5 tabular-nums text-slate-600">
                    <DateTime ms={e.creationTime} />
                  </td>
                  <td className="px-2 py-2.5 text-right">
                    <Menu
                      label={`Actions for ${e.name}`}
                      trigger={<IconMore size={16} />}
                      items={[
                        { label: "Rename", onSelect: () => setRenaming(e) },
                        { label: "Delete", danger: true, disabled: e.id === "0", onSelect: () => setDeleting(e) },
                      ]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateExperimentDialog open={creating} onClose={() => setCreating(false)} />
      <RenameExperimentDialog experiment={renaming} onClose={() => setRenaming(null)} />
      <DeleteExperimentDialog experiment={deleting} onClose={() => setDeleting(null)} />
    </div>
  );
}
