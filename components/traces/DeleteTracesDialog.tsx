"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";

/** Bulk delete of the selected traces, through the MLflow route the SDKs use. */
export function DeleteTracesDialog({ open, experimentId, traceIds, onClose, onDone }: { open: boolean; experimentId: string; traceIds: string[]; onClose: () => void; onDone: () => void }) {
  const m = useMutation({
    mutationFn: () => apiFetch<{ traces_deleted: number }>("/ajax-api/2.0/mlflow/traces/delete-traces", { body: { experiment_id: experimentId, request_ids: traceIds } }),
    onSuccess: () => {
      onDone();
      onClose();
    },
  });
  useEffect(() => m.reset(), [open]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Dialog open={open} onClose={onClose} title={`Delete ${traceIds.length} trace${traceIds.length === 1 ? "" : "s"}`}>
      <p className="text-sm text-slate-600">The traces, their spans and assessments are deleted permanently.</p>
      {m.isError && <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">{errorMessage(m.error)}</p>}
      <div className="mt-5 flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="danger" disabled={m.isPending} onClick={() => m.mutate()}>
          {m.isPending ? "Deleting…" : "Delete"}
        </Button>
      </div>
    </Dialog>
  );
}
