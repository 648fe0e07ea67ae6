"use client";
import { useEffect, useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { Button } from "@/components/ui/Button";
import { columnHelper, DataTable } from "@/components/ui/DataTable";
import { Dialog } from "@/components/ui/Dialog";
import { formatUtcMinute } from "@/components/ui/format";
import type { PriceLookup, PriceOverrideView } from "@/lib/store/prices-api";
import type { RepriceJob } from "@/lib/store/prices-reprice";

const RATES = [
  ["input_per_mtok", "Input"],
  ["output_per_mtok", "Output"],
  ["cache_read_per_mtok", "Cache read"],
  ["cache_write_per_mtok", "Cache write"],
] as const;

const money = (v: number | null) => (v == null ? "—" : `$${v.toLocaleString("en-US", { maximumFractionDigits: 6 })}`);
const input = "mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm";

/** The add/edit form's fields: a blank optional price is absent, not 0. */
function entryOf(f: FormData): Record<string, unknown> {
  const body: Record<string, unknown> = { model: String(f.get("model") ?? "") };
  const provider = String(f.get("provider") ?? "").trim();
  if (provider) body.provider = provider;
  for (const [k] of RATES) {
    const v = String(f.get(k) ?? "").trim();
    if (v !== "") body[k] = Number(v);
  }
  return body;
}

function OverrideDialog({ editing, onClose, onSaved }: { editing: PriceOverrideView | "new" | null; onClose: () => void; onSaved: (o: PriceOverrideView) => void }) {
  const [error, setError] = useState<string>();
  const current = editing === "new" ? null : editing;
  async function save(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(undefined);
    const body = entryOf(new FormData(e.currentTarget));
    try {
      const r = current
        ? await apiFetch<{ override: PriceOverrideView }>(`/api/ui/prices/${current.id}`, { method: "PUT", body })
        : await apiFetch<{ override: PriceOverrideView }>("/api/ui/prices", { method: "POST", body });
      onSaved(r.override);
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  return (
    <Dialog open={editing !== null} onClose={onClose} title={current ? `Edit ${current.model}` : "Add a price"}>
      <form onSubmit={save} className="space-y-3" aria-label="Price override">
        <div className="grid grid-cols-2 gap-3">
          <label className="text-sm">
            <span className="block text-slate-700">Model (name or prefix*)</span>
            <input name="model" required defaultValue={current?.model} className={input} autoComplete="off" />
          </label>
          <label className="text-sm">
            <span className="block text-slate-700">Provider (optional)</span>
            <input name="provider" defaultValue={current?.provider ?? ""} className={input} autoComplete="off" />
          </label>
          {RATES.map(([k, label], i) => (
            <label key={k} className="text-sm">
              <span className="block text-slate-700">
                {label} $/MTok{i >= 2 ? " (optional)" : ""}
              </span>
              <input name={k} type="number" min={0} step="any" required={i < 2} defaultValue={current?.[k] ?? undefined} className={input} />
            </label>
          ))}
        </div>
        {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary">Save</Button>
        </div>
      </form>
    </Dialog>
  );
}

function Lookup() {
  const [result, setResult] = useState<PriceLookup>();
  const [error, setError] = useState<string>();
  async function look(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const q = new URLSearchParams({ model: String(f.get("model") ?? ""), provider: String(f.get("provider") ?? "") });
    setError(undefined);
    try {
      setResult(await apiFetch<PriceLookup>(`/api/ui/prices/lookup?${q}`));
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  return (
    <form onSubmit={look} className="rounded-lg border border-slate-200 bg-white p-4 space-y-2" aria-label="Look up a price">
      <h2 className="text-sm font-medium">Look up a model</h2>
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="block text-slate-700">Model</span>
          <input name="model" required className={input} placeholder="gpt-4o-mini" autoComplete="off" />
        </label>
        <label className="text-sm">
          <span className="block text-slate-700">Provider (optional)</span>
          <input name="provider" className={input} placeholder="openai" autoComplete="off" />
        </label>
        <Button type="submit">Look up</Button>
      </div>
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      {result && (
        <p className="text-sm text-slate-700" data-testid="price-lookup">
          {result.match ? (
            <>
              <strong>{result.model}</strong>: input {money(result.match.input_per_mtok)}, output {money(result.match.output_per_mtok)} per MTok, from{" "}
              <code className="rounded bg-slate-100 px-1">{result.match.entry}</code> ({result.match.source === "override" ? "an override" : result.match.source})
            </>
          ) : (
            <>No price knows {result.model}: its spans have no cost.</>
          )}
        </p>
      )}
    </form>
  );
}

function Reprice({ canEdit }: { canEdit: boolean }) {
  const [job, setJob] = useState<RepriceJob | null>();
  const [error, setError] = useState<string>();
  const running = !!job && !job.finishedAt;
  useEffect(() => {
    let stop = false;
    const poll = async () => {
      try {
        const r = await apiFetch<{ job: RepriceJob | null }>("/api/ui/prices/reprice");
        if (!stop) setJob(r.job);
      } catch {
        // the next poll tries again
      }
    };
    void poll();
    // only while a job runs: a finished one does not change
    const t = running ? setInterval(poll, 1000) : undefined;
    return () => {
      stop = true;
      if (t) clearInterval(t);
    };
  }, [running]);
  async function start() {
    setError(undefined);
    try {
      setJob((await apiFetch<{ job: RepriceJob }>("/api/ui/prices/reprice", { method: "POST" })).job);
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 space-y-2">
      <div className="flex items-center justify-between gap-4">
        <div>
          <h2 className="text-sm font-medium">Re-price stored traces</h2>
          <p className="text-sm text-slate-600">Applies the current prices to the costs flowtrace computed for stored spans, and updates their traces, sessions and users. Costs sent by clients stay.</p>
        </div>
        {canEdit && (
          <Button onClick={() => void start()} disabled={running}>
            Re-price
          </Button>
        )}
      </div>
      {job && (
        <p className="text-sm text-slate-700" data-testid="reprice-progress">
          {job.finishedAt
            ? `Re-priced ${job.done.toLocaleString("en-US")} ${job.done === 1 ? "span" : "spans"}, finished ${formatUtcMinute(job.finishedAt)}.`
            : `Re-pricing: ${job.done.toLocaleString("en-US")} of about ${job.total.toLocaleString("en-US")} spans…`}
        </p>
      )}
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
    </div>
  );
}

const col = columnHelper<PriceOverrideView>();

export function PriceManager({ initial, canEdit }: { initial: PriceOverrideView[]; canEdit: boolean }) {
  const [rows, setRows] = useState(initial);
  const [editing, setEditing] = useState<PriceOverrideView | "new" | null>(null);
  const [error, setError] = useState<string>();

  async function reload() {
    setRows((await apiFetch<{ overrides: PriceOverrideView[] }>("/api/ui/prices")).overrides);
  }
  async function remove(o: PriceOverrideView) {
    setError(undefined);
    try {
      await apiFetch(`/api/ui/prices/${o.id}`, { method: "DELETE" });
      await reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const columns = [
    col.display({ id: "model", header: "Model", meta: { headerClassName: "w-[20%]", cellClassName: "break-all" }, cell: ({ row }) => <code className="text-slate-900">{row.original.model}</code> }),
    col.display({ id: "provider", header: "Provider", meta: { headerClassName: "w-[10%]" }, cell: ({ row }) => row.original.provider ?? <span className="text-slate-400">any</span> }),
    ...RATES.map(([k, label]) => col.display({ id: k, header: `${label} $/MTok`, meta: { align: "right", headerClassName: "w-[9%]" }, cell: ({ row }) => money(row.original[k]) })),
    col.display({
      id: "updated",
      header: "Changed",
      meta: { headerClassName: "w-[15%]", cellClassName: "text-slate-600" },
      cell: ({ row }) => `${formatUtcMinute(row.original.updated_at)}${row.original.updated_by ? ` by ${row.original.updated_by}` : ""}`,
    }),
    ...(canEdit
      ? [
          col.display({
            id: "actions",
            header: "",
            meta: { align: "right", headerClassName: "w-32" },
            cell: ({ row }) => (
              <span className="inline-flex gap-1">
                <Button size="sm" variant="ghost" onClick={() => setEditing(row.original)}>Edit</Button>
                <Button size="sm" variant="ghost" onClick={() => void remove(row.original)}>Delete</Button>
              </span>
            ),
          }),
        ]
      : []),
  ];

  return (
    <div className="space-y-4">
      <div className="rounded-lg border border-slate-200 bg-white">
        <div className="flex items-center justify-between px-4 py-3">
          <h2 className="text-sm font-medium">Overrides</h2>
          {canEdit ? <Button variant="primary" size="sm" onClick={() => setEditing("new")}>Add a price</Button> : <span className="text-xs text-slate-500">Only admins change prices.</span>}
        </div>
        <DataTable columns={columns} data={rows} getRowId={(o) => o.id} variant="card" testId="price-overrides" rowTestId="price-override" empty="No overrides: the price table and the configured prices apply." />
      </div>
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      <Reprice canEdit={canEdit} />
      <Lookup />
      <OverrideDialog
        editing={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          void reload();
        }}
      />
    </div>
  );
}
