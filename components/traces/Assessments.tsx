"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { cn } from "@/components/ui/cn";
import { RelativeTime } from "@/components/ui/Time";
import { IconThumbDown, IconThumbUp, IconX } from "@/components/ui/Icons";
import type { AssessmentView } from "@/lib/store/trace-view";

function showValue(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function valueTone(v: unknown): "green" | "red" | "slate" {
  if (v === true || v === "yes" || v === "pass" || v === "Pass") return "green";
  if (v === false || v === "no" || v === "fail" || v === "Fail") return "red";
  return "slate";
}

/** Assessments of a trace (feedback and expectations), with a form to add human feedback. */
export function Assessments({ traceId, assessments, spanId, spanName, onHide }: { traceId: string; assessments: AssessmentView[]; spanId: string | null; spanName: string | null; onHide?: () => void }) {
  const [adding, setAdding] = useState(false);
  return (
    <div className="flex min-h-0 flex-col" data-testid="assessments">
      <div className="flex items-center justify-between border-b border-slate-200 px-3 py-2">
        <h3 className="whitespace-nowrap text-xs font-semibold uppercase tracking-wide text-slate-500">
          Feedback {assessments.length > 0 && <span className="text-slate-400">{assessments.length}</span>}
        </h3>
        <div className="flex items-center gap-1">
          {!adding && (
            <Button size="sm" onClick={() => setAdding(true)}>
              Add feedback
            </Button>
          )}
          {onHide && (
            <button type="button" aria-label="Hide assessments" onClick={onHide} className="rounded p-1 text-slate-400 hover:bg-slate-200 hover:text-slate-700">
              <IconX size={13} />
            </button>
          )}
        </div>
      </div>
      <div className="scroll-thin min-h-0 flex-1 space-y-2 overflow-auto p-3">
        {adding && <FeedbackForm traceId={traceId} spanId={spanId} spanName={spanName} onDone={() => setAdding(false)} />}
        {assessments.length === 0 && !adding && <p className="py-4 text-center text-xs text-slate-400">No feedback or expectations yet.</p>}
        {assessments.map((a) => (
          <div key={a.assessmentId} className={cn("rounded-lg border border-slate-200 bg-white px-2.5 py-2", !a.valid && "opacity-60")}>
            <div className="flex items-center gap-1.5">
              <span className="min-w-0 truncate text-xs font-semibold text-slate-800" title={a.name}>{a.name}</span>
              <Badge tone={a.kind === "expectation" ? "cyan" : "violet"}>{a.kind}</Badge>
              {!a.valid && <Badge>overridden</Badge>}
            </div>
            <div className="mt-1">
              {a.error ? (
                <span className="text-xs text-red-600">{showValue((a.error as { error_message?: string }).error_message ?? a.error)}</span>
              ) : (
                <Badge tone={valueTone(a.value)} className="text-xs">{showValue(a.value).slice(0, 200)}</Badge>
              )}
            </div>
            {a.rationale && <p className="mt-1 whitespace-pre-wrap text-xs text-slate-600">{a.rationale}</p>}
            <div className="mt-1 text-[11px] text-slate-400">
              {a.sourceType.replace("SOURCE_TYPE_", "").toLowerCase()}
              {a.sourceId ? ` · ${a.sourceId}` : ""} · <RelativeTime ms={a.createTime} />
              {a.spanId && <span> · span {a.spanId.slice(0, 8)}</span>}
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}

type Kind = "yesno" | "number" | "text";

function FeedbackForm({ traceId, spanId, spanName, onDone }: { traceId: string; spanId: string | null; spanName: string | null; onDone: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState("user_feedback");
  const [kind, setKind] = useState<Kind>("yesno");
  const [yes, setYes] = useState<boolean | null>(null);
  const [text, setText] = useState("");
  const [rationale, setRationale] = useState("");
  const [onSpan, setOnSpan] = useState(false);
  const value: unknown = kind === "yesno" ? yes : kind === "number" ? (text.trim() === "" ? null : Number(text)) : text.trim() || null;
  const valid = name.trim() !== "" && !name.includes(".") && value !== null && !(kind === "number" && Number.isNaN(value));
  const m = useMutation({
    mutationFn: () =>
      apiFetch(`/ajax-api/3.0/mlflow/traces/${encodeURIComponent(traceId)}/assessments`, {
        body: {
          assessment: {
            assessment_name: name.trim(),
            trace_id: traceId,
            ...(onSpan && spanId ? { span_id: spanId } : {}),
            source: { source_type: "HUMAN", source_id: "flowtrace-ui" },
            feedback: { value },
            ...(rationale.trim() ? { rationale: rationale.trim() } : {}),
          },
        },
      }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ["trace", traceId] });
      onDone();
    },
  });
  const input = "h-7 w-full rounded border border-slate-300 px-2 text-xs focus:border-indigo-500 focus:outline-none";
  return (
    <form
      aria-label="Add feedback"
      className="space-y-2 rounded-lg border border-indigo-200 bg-indigo-50/40 p-2.5"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid && !m.isPending) m.mutate();
      }}
    >
      <label className="block text-[11px] font-medium text-slate-600">
        Name
        <input aria-label="Feedback name" value={name} onChange={(e) => setName(e.target.value)} className={input} />
      </label>
      {name.includes(".") && <p className="text-[11px] text-red-600">Names cannot contain “.”.</p>}
      <div className="flex gap-1">
        {(["yesno", "number", "text"] as Kind[]).map((k) => (
          <button key={k} type="button" onClick={() => setKind(k)} className={cn("rounded px-2 py-0.5 text-[11px]", kind === k ? "bg-indigo-600 text-white" : "bg-white text-slate-600 ring-1 ring-slate-200")}>
            {k === "yesno" ? "Yes / No" : k === "number" ? "Number" : "Text"}
          </button>
        ))}
      </div>
      {kind === "yesno" ? (
        <div className="flex gap-2">
          <button type="button" aria-pressed={yes === true} onClick={() => setYes(true)} className={cn("flex flex-1 items-center justify-center gap-1 rounded border py-1 text-xs", yes === true ? "border-emerald-400 bg-emerald-50 text-emerald-700" : "border-slate-300 bg-white text-slate-600")}>
            <IconThumbUp size={13} /> Yes
          </button>
          <button type="button" aria-pressed={yes === false} onClick={() => setYes(false)} className={cn("flex flex-1 items-center justify-center gap-1 rounded border py-1 text-xs", yes === false ? "border-red-400 bg-red-50 text-red-700" : "border-slate-300 bg-white text-slate-600")}>
            <IconThumbDown size={13} /> No
          </button>
        </div>
      ) : (
        <input aria-label="Feedback value" inputMode={kind === "number" ? "decimal" : undefined} value={text} onChange={(e) => setText(e.target.value)} placeholder={kind === "number" ? "0.8" : "value"} className={input} />
      )}
      <textarea aria-label="Rationale" value={rationale} onChange={(e) => setRationale(e.target.value)} placeholder="Rationale (optional)" rows={2} className="w-full rounded border border-slate-300 px-2 py-1 text-xs focus:border-indigo-500 focus:outline-none" />
      {spanId && spanName && (
        <label className="flex items-center gap-1.5 text-[11px] text-slate-600">
          <input type="checkbox" checked={onSpan} onChange={(e) => setOnSpan(e.target.checked)} className="accent-indigo-600" /> Attach to span “{spanName}”
        </label>
      )}
      {m.isError && <p role="alert" className="text-[11px] text-red-600">{errorMessage(m.error)}</p>}
      <div className="flex justify-end gap-1.5">
        <Button size="sm" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
        <Button size="sm" type="submit" variant="primary" disabled={!valid || m.isPending}>
          {m.isPending ? "Saving…" : "Save feedback"}
        </Button>
      </div>
    </form>
  );
}
