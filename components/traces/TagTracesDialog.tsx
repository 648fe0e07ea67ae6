"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";

const inputCls = "block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/20";

/** Bulk "Add tag": one PATCH per selected trace, through the MLflow route the SDKs use. */
export function TagTracesDialog({ open, traceIds, onClose, onDone }: { open: boolean; traceIds: string[]; onClose: () => void; onDone: () => void }) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  useEffect(() => {
    if (open) {
      setKey("");
      setValue("");
    }
  }, [open]);
  const m = useMutation({
    mutationFn: async () => {
      for (const id of traceIds) {
        await apiFetch(`/ajax-api/2.0/mlflow/traces/${encodeURIComponent(id)}/tags`, { method: "PATCH", body: { key: key.trim(), value } });
      }
    },
    onSuccess: () => {
      onDone();
      onClose();
    },
  });
  useEffect(() => m.reset(), [open]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Dialog open={open} onClose={onClose} title={`Add a tag to ${traceIds.length} trace${traceIds.length === 1 ? "" : "s"}`}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) m.mutate();
        }}
      >
        <div>
          <label htmlFor="bulk-tag-key" className="mb-1 block text-sm font-medium text-slate-700">Key</label>
          <input id="bulk-tag-key" autoFocus value={key} onChange={(e) => setKey(e.target.value)} className={inputCls} placeholder="reviewed" />
        </div>
        <div>
          <label htmlFor="bulk-tag-value" className="mb-1 block text-sm font-medium text-slate-700">Value</label>
          <input id="bulk-tag-value" value={value} onChange={(e) => setValue(e.target.value)} className={inputCls} placeholder="yes" />
        </div>
        {m.isError && <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">{errorMessage(m.error)}</p>}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!key.trim() || m.isPending}>
            {m.isPending ? "Tagging…" : "Add tag"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
