"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { ConfirmDialog } from "@/components/ui/Dialog";

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
    <ConfirmDialog
      open={open}
      onClose={onClose}
      title={`Delete ${traceIds.length} trace${traceIds.length === 1 ? "" : "s"}`}
      error={m.isError ? errorMessage(m.error) : null}
      pending={m.isPending}
      onConfirm={() => m.mutate()}
      confirmLabel="Delete"
      pendingLabel="Deleting…"
    >
      <p className="text-sm text-slate-600">The traces, their spans and assessments are deleted permanently.</p>
    </ConfirmDialog>
  );
}
