"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useMemo, useState, useTransition } from "react";
import { Button } from "@/components/ui/Button";
import { columnHelper, DataTable } from "@/components/ui/DataTable";
import { formatCount } from "@/components/ui/format";
import { useHydrated } from "@/components/ui/hydrated";
import { DateTime, RelativeTime } from "@/components/ui/Time";
import { IconFlask, IconMore, IconPlus } from "@/components/ui/Icons";
import { SearchInput } from "@/components/ui/SearchInput";
import { Menu } from "@/components/ui/Menu";
import { EmptyState, Spinner } from "@/components/ui/States";
import type { ExperimentSort, ExperimentSummary } from "@/lib/store/trace-view";
import { CreateExperimentDialog, DeleteExperimentDialog, RenameExperimentDialog } from "./ExperimentDialogs";

const col = columnHelper<ExperimentSummary>();
const experimentColumns = (actions: { rename: (e: ExperimentSummary) => void; remove: (e: ExperimentSummary) => void }) => [
  col.display({
    id: "name",
    header: "Name",
    cell: ({ row: { original: e } }) => (
      <>
        <Link prefetch={false} href={`/experiments/${e.id}/traces`} className="block truncate font-medium text-slate-900 hover:text-indigo-700" title={e.name}>
          {e.name}
        </Link>
        {e.description && <div className="truncate text-xs text-slate-500">{e.description}</div>}
      </>
    ),
  }),
  col.display({ id: "id", header: "ID", enableSorting: false, meta: { headerClassName: "w-24", cellClassName: "font-mono text-xs text-slate-500" }, cell: ({ row }) => row.original.id }),
  col.display({ id: "traces", header: "Traces", meta: { align: "right", headerClassName: "w-28", cellClassName: "text-slate-700" }, cell: ({ row }) => formatCount(row.original.traceCount) }),
  col.display({
    id: "last_trace",
    header: "Last trace",
    meta: { headerClassName: "w-40", cellClassName: "text-slate-600" },
    cell: ({ row }) => <RelativeTime ms={row.original.lastTraceTime} empty={<span className="text-slate-400">No traces</span>} />,
  }),
  col.display({ id: "created", header: "Created", meta: { headerClassName: "w-48", cellClassName: "whitespace-nowrap tabular-nums text-slate-600" }, cell: ({ row }) => <DateTime ms={row.original.creationTime} /> }),
  col.display({
    id: "actions",
    enableSorting: false,
    meta: { headerClassName: "w-12", cellClassName: "px-2! text-right" },
    cell: ({ row: { original: e } }) => (
      <Menu
        label={`Actions for ${e.name}`}
        trigger={<IconMore size={16} />}
        items={[
          { label: "Rename", onSelect: () => actions.rename(e) },
          { label: "Delete", danger: true, disabled: e.id === "0", onSelect: () => actions.remove(e) },
        ]}
      />
    ),
  }),
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
  // setState functions are stable, so the columns are built once
  const columns = useMemo(() => experimentColumns({ rename: setRenaming, remove: setDeleting }), []);
  const noneAtAll = experiments.length === 0 && !q;

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-6">
      <div className="mb-4 flex items-center gap-3">
        <h1 className="text-lg font-semibold tracking-tight">Experiments</h1>
        {!noneAtAll && <span className="text-sm text-slate-500">{formatCount(experiments.length)}{experiments.length >= 500 ? "+" : ""}</span>}
        {pending && <Spinner className="h-3.5 w-3.5" />}
        <div className="ml-auto flex items-center gap-2">
          {!noneAtAll && (
            <SearchInput
              className="w-64"
              inputClassName="shadow-sm placeholder:text-slate-400"
              aria-label="Search experiments by name"
              value={query}
              onValueChange={setQuery}
              placeholder="Search by name"
            />
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
          <DataTable
            variant="card"
            columns={columns}
            data={experiments}
            getRowId={(e) => e.id}
            sort={{ id: sort, dir }}
            onSort={(id) => toggleSort(id as ExperimentSort)}
            empty={
              <>
                No experiment name contains “{q}”.{" "}
                <button className="text-indigo-600 hover:underline" onClick={() => setQuery("")}>
                  Clear search
                </button>
              </>
            }
          />
        </div>
      )}
      <CreateExperimentDialog open={creating} onClose={() => setCreating(false)} />
      <RenameExperimentDialog experiment={renaming} onClose={() => setRenaming(null)} />
      <DeleteExperimentDialog experiment={deleting} onClose={() => setDeleting(null)} />
    </div>
  );
}
