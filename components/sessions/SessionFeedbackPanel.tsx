"use client";
// Session-level feedback. Stored like MLflow's multi-turn scorers store theirs: an assessment on the first
// trace of the session carrying metadata mlflow.assessment.onlineScoringSessionId = <session id>, created
// through the MLflow REST endpoint, so MLflow clients read it back with the trace.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import { Button } from "@/components/ui/Button";
import { cn } from "@/components/ui/cn";
import { IconThumbDown, IconThumbUp } from "@/components/ui/Icons";
import { RelativeTime } from "@/components/ui/Time";
import type { SessionFeedback, SessionListRow } from "@/lib/store/sessions";

export const SESSION_ASSESSMENT_KEY = "mlflow.assessment.onlineScoringSessionId";
const DEFAULT_NAME = "session_quality";

/** "true"/"false" → boolean, numbers → number, anything else stays text. */
export function parseFeedbackValue(text: string): boolean | number | string {
  const t = text.trim();
  if (t === "true" || t === "false") return t === "true";
  if (t !== "" && Number.isFinite(Number(t))) return Number(t);
  return t;
}

function showValue(v: unknown): React.ReactNode {
  if (v === true) return <span className="inline-flex items-center gap-1 text-emerald-700"><IconThumbUp size={13} /> yes</span>;
  if (v === false) return <span className="inline-flex items-center gap-1 text-red-700"><IconThumbDown size={13} /> no</span>;
  return <span className="font-mono text-xs">{typeof v === "string" ? v : JSON.stringify(v)}</span>;
}

const THUMBS = {
  up: { label: "Thumbs up", text: "Good", Icon: IconThumbUp, pressed: "border-emerald-500 bg-emerald-50 text-emerald-700" },
  down: { label: "Thumbs down", text: "Bad", Icon: IconThumbDown, pressed: "border-red-500 bg-red-50 text-red-700" },
};

/** Chooses its thumb (true for up); a second click takes the choice back. */
function ThumbButton({ thumb, value, onChange }: { thumb: boolean; value: boolean | null; onChange: (v: boolean | null) => void }) {
  const { label, text, Icon, pressed } = THUMBS[thumb ? "up" : "down"];
  const on = value === thumb;
  return (
    <button
      type="button"
      aria-pressed={on}
      aria-label={label}
      onClick={() => onChange(on ? null : thumb)}
      className={cn("flex h-8 flex-1 items-center justify-center gap-1 rounded-md border text-sm", on ? pressed : "border-slate-300 text-slate-600 hover:bg-slate-50")}
    >
      <Icon size={15} /> {text}
    </button>
  );
}

export function SessionFeedbackPanel({ experimentId, session, feedback }: { experimentId: string; session: SessionListRow; feedback: SessionFeedback[] }) {
  const qc = useQueryClient();
  const [value, setValue] = useState<boolean | null>(null);
  const [custom, setCustom] = useState("");
  const [name, setName] = useState(DEFAULT_NAME);
  const [rationale, setRationale] = useState("");
  const save = useMutation({
    mutationFn: async () => {
      if (!session.firstTraceId) throw new Error("The session has no trace to attach feedback to");
      const v = custom.trim() !== "" ? parseFeedbackValue(custom) : value;
      if (v === null) throw new Error("Choose thumbs up or down, or enter a value");
      return apiFetch(`/ajax-api/3.0/mlflow/traces/${encodeURIComponent(session.firstTraceId)}/assessments`, {
        method: "POST",
        body: {
          assessment: {
            assessment_name: name.trim() || DEFAULT_NAME,
            trace_id: session.firstTraceId,
            source: { source_type: "HUMAN", source_id: "flowtrace-ui" },
            feedback: { value: v },
            ...(rationale.trim() ? { rationale: rationale.trim() } : {}),
            metadata: { [SESSION_ASSESSMENT_KEY]: session.sessionId },
          },
        },
      });
    },
    onSuccess: async () => {
      setValue(null);
      setCustom("");
      setRationale("");
      await qc.invalidateQueries({ queryKey: ["session", experimentId, session.sessionId] });
      await qc.invalidateQueries({ queryKey: ["trace", session.firstTraceId] });
    },
  });
  const nameInvalid = name.includes(".");

  return (
    <section className="p-4" aria-label="Session feedback">
      <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">Session feedback</h3>
      {feedback.length > 0 ? (
        <ul className="mb-4 space-y-2" data-testid="session-feedback-list">
          {feedback.map((f) => (
            <li key={f.assessmentId} className="rounded-lg border border-slate-200 p-2.5 text-sm">
              <div className="flex items-center justify-between gap-2">
                <span className="truncate font-medium text-slate-800">{f.name}</span>
                {showValue(f.value)}
              </div>
              {f.rationale && <p className="mt-1 whitespace-pre-wrap text-xs text-slate-600">{f.rationale}</p>}
              <p className="mt-1 text-[11px] text-slate-400">
                {f.sourceType.toLowerCase()}
                {f.sourceId ? ` · ${f.sourceId}` : ""} · <RelativeTime ms={f.lastUpdateTime} />
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mb-3 text-xs text-slate-500">No feedback on this conversation yet.</p>
      )}
      <form
        className="space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <div className="flex items-center gap-2">
          <ThumbButton thumb={true} value={value} onChange={setValue} />
          <ThumbButton thumb={false} value={value} onChange={setValue} />
        </div>
        <input aria-label="Feedback value" value={custom} onChange={(e) => setCustom(e.target.value)} placeholder="…or a value (number, text)" className="h-8 w-full rounded-md border border-slate-300 px-2 text-sm" />
        <textarea aria-label="Rationale" value={rationale} onChange={(e) => setRationale(e.target.value)} rows={2} placeholder="Rationale (optional)" className="w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
        <div className="flex items-center gap-2">
          <input aria-label="Feedback name" value={name} onChange={(e) => setName(e.target.value)} className={cn("h-8 min-w-0 flex-1 rounded-md border px-2 font-mono text-xs", nameInvalid ? "border-red-400" : "border-slate-300")} />
          <Button type="submit" variant="primary" size="sm" disabled={save.isPending || nameInvalid || (value === null && custom.trim() === "")}>
            {save.isPending ? "Saving…" : "Save"}
          </Button>
        </div>
        {nameInvalid && <p className="text-xs text-red-600">A feedback name cannot contain “.”</p>}
        {save.isError && <p className="text-xs text-red-600" role="alert">{errorMessage(save.error)}</p>}
        <p className="text-[11px] leading-snug text-slate-400">Stored on the session&apos;s first trace, tagged with the session ID, like MLflow&apos;s multi-turn judges.</p>
      </form>
    </section>
  );
}
