"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog, Dialog } from "@/components/ui/Dialog";
import { IconChevronDown, IconChevronRight } from "@/components/ui/Icons";

const inputCls =
  "block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/20 aria-[invalid=true]:border-red-400 aria-[invalid=true]:ring-red-500/20";

/** Experiment creation, through the same REST endpoint the MLflow clients call. */
export function CreateExperimentDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [artifactLocation, setArtifactLocation] = useState("");
  const [advanced, setAdvanced] = useState(false);
  const [touched, setTouched] = useState(false);
  // Reset when the dialog closes, not when it opens: a reset on open re-rendered the name field empty
  // just after it got focus, wiping what a fast typist (or a test) had typed into it.
  useEffect(() => {
    if (!open) {
      setName("");
      setArtifactLocation("");
      setTouched(false);
      setAdvanced(false);
    }
  }, [open]);
  const create = useMutation({
    mutationFn: () =>
      apiFetch<{ experiment_id: string }>("/ajax-api/2.0/mlflow/experiments/create", {
        body: { name: name.trim(), ...(artifactLocation.trim() ? { artifact_location: artifactLocation.trim() } : {}) },
      }),
    onSuccess: (r) => {
      onClose();
      router.push(`/experiments/${r.experiment_id}/traces`);
    },
  });
  useEffect(() => {
    if (!open) create.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  const emptyName = name.trim() === "";
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (emptyName || create.isPending) return;
    create.mutate();
  };
  return (
    <Dialog open={open} onClose={onClose} title="Create Experiment">
      <form onSubmit={submit} noValidate className="space-y-4">
        <div>
          <label htmlFor="exp-name" className="mb-1 block text-sm font-medium text-slate-700">
            Experiment Name <span className="text-red-500">*</span>
          </label>
          <input
            id="exp-name"
            autoFocus
            value={name}
            aria-invalid={touched && emptyName}
            onChange={(e) => {
              setName(e.target.value);
              if (create.isError) create.reset();
            }}
            placeholder="my-agent"
            className={inputCls}
          />
          {touched && emptyName && <p className="mt-1 text-xs text-red-600">Please enter an experiment name.</p>}
        </div>
        <div>
          <button type="button" onClick={() => setAdvanced((a) => !a)} className="flex items-center gap-1 text-xs font-medium text-slate-500 hover:text-slate-800">
            {advanced ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />} Advanced
          </button>
          {advanced && (
            <div className="mt-2">
              <label htmlFor="exp-artifact" className="mb-1 block text-sm font-medium text-slate-700">
                Artifact Location <span className="font-normal text-slate-400">(optional)</span>
              </label>
              <input id="exp-artifact" value={artifactLocation} onChange={(e) => setArtifactLocation(e.target.value)} placeholder="mlflow-artifacts:/…" className={inputCls} />
              <p className="mt-1 text-xs text-slate-500">Leave empty to store trace data on this server.</p>
            </div>
          )}
        </div>
        {create.isError && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
            {errorMessage(create.error)}
          </p>
        )}
        <div className="flex justify-end gap-2 pt-1">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function RenameExperimentDialog({ experiment, onClose }: { experiment: { id: string; name: string } | null; onClose: () => void }) {
  const router = useRouter();
  const [name, setName] = useState("");
  useEffect(() => setName(experiment?.name ?? ""), [experiment]);
  const rename = useMutation({
    mutationFn: () => apiFetch("/ajax-api/2.0/mlflow/experiments/update", { body: { experiment_id: experiment!.id, new_name: name.trim() } }),
    onSuccess: () => {
      onClose();
      router.refresh();
    },
  });
  useEffect(() => rename.reset(), [experiment]); // eslint-disable-line react-hooks/exhaustive-deps
  const empty = name.trim() === "";
  return (
    <Dialog open={experiment !== null} onClose={onClose} title="Rename Experiment">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!empty && !rename.isPending) rename.mutate();
        }}
        className="space-y-4"
      >
        <div>
          <label htmlFor="exp-new-name" className="mb-1 block text-sm font-medium text-slate-700">New name</label>
          <input id="exp-new-name" autoFocus value={name} onChange={(e) => setName(e.target.value)} className={inputCls} aria-invalid={empty} />
        </div>
        {rename.isError && <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">{errorMessage(rename.error)}</p>}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={empty || rename.isPending || name.trim() === experiment?.name}>
            {rename.isPending ? "Saving…" : "Save"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function DeleteExperimentDialog({ experiment, onClose, onDeleted }: { experiment: { id: string; name: string; traceCount?: number } | null; onClose: () => void; onDeleted?: () => void }) {
  const router = useRouter();
  const del = useMutation({
    mutationFn: () => apiFetch("/ajax-api/2.0/mlflow/experiments/delete", { body: { experiment_id: experiment!.id } }),
    onSuccess: () => {
      onClose();
      if (onDeleted) onDeleted();
      else router.refresh();
    },
  });
  useEffect(() => del.reset(), [experiment]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <ConfirmDialog
      open={experiment !== null}
      onClose={onClose}
      title="Delete Experiment"
      error={del.isError ? errorMessage(del.error) : null}
      pending={del.isPending}
      onConfirm={() => del.mutate()}
      confirmLabel="Delete"
      pendingLabel="Deleting…"
    >
      <p className="text-sm text-slate-600">
        Delete <strong className="font-semibold text-slate-900">{experiment?.name}</strong>
        {experiment?.traceCount ? ` and hide its ${experiment.traceCount.toLocaleString("en")} traces` : ""}? The experiment moves to the deleted stage and can be restored through the API.
      </p>
    </ConfirmDialog>
  );
}
