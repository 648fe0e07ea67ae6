"use client";
import { useEffect, useState } from "react";
import { CopyButton } from "@/components/ui/CopyButton";
import { cn } from "@/components/ui/cn";

type Lang = "python" | "typescript" | "otlp";

function snippets(origin: string, experimentId: string, experimentName: string): Record<Lang, string> {
  return {
    python: `# pip install mlflow
import mlflow

mlflow.set_tracking_uri("${origin}")
mlflow.set_experiment(experiment_id="${experimentId}")  # "${experimentName}"

@mlflow.trace
def answer(question: str, user_id: str, session_id: str) -> str:
    mlflow.update_current_trace(metadata={
        "mlflow.trace.user": user_id,
        "mlflow.trace.session": session_id,
    })
    return "..."

answer("What is flowtrace?", user_id="u-1", session_id="s-1")`,
    typescript: `// npm install mlflow-tracing
import * as mlflow from "mlflow-tracing";

mlflow.init({
  trackingUri: "${origin}",
  experimentId: "${experimentId}",
});

const answer = mlflow.trace(
  async (question: string) => "...",
  { name: "answer" },
);
await answer("What is flowtrace?");`,
    otlp: `# Any OpenTelemetry SDK or collector (OTLP over HTTP)
export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${origin}/v1/traces
export OTEL_EXPORTER_OTLP_TRACES_HEADERS=x-mlflow-experiment-id=${experimentId}
export OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf`,
  };
}

const LABELS: Record<Lang, string> = { python: "Python", typescript: "TypeScript", otlp: "OpenTelemetry" };

/** How to send traces to this experiment: copyable snippets for the MLflow SDKs and plain OTLP. */
export function SendTracesPanel({ experimentId, experimentName, className }: { experimentId: string; experimentName: string; className?: string }) {
  const [lang, setLang] = useState<Lang>("python");
  const [origin, setOrigin] = useState("http://localhost:5000");
  useEffect(() => setOrigin(window.location.origin), []);
  const code = snippets(origin, experimentId, experimentName)[lang];
  return (
    <section aria-label="How to send traces here" className={cn("overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm", className)}>
      <div className="flex items-center gap-1 border-b border-slate-200 bg-slate-50 px-2">
        {(Object.keys(LABELS) as Lang[]).map((l) => (
          <button
            key={l}
            type="button"
            role="tab"
            aria-selected={lang === l}
            onClick={() => setLang(l)}
            className={cn("-mb-px border-b-2 px-3 py-2 text-xs font-medium", lang === l ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-500 hover:text-slate-800")}
          >
            {LABELS[l]}
          </button>
        ))}
        <span className="ml-auto pr-2 text-xs text-slate-500">
          Experiment ID <code className="rounded bg-white px-1 py-px font-mono text-slate-800 ring-1 ring-slate-200">{experimentId}</code>
        </span>
      </div>
      <div className="relative">
        <pre className="scroll-thin overflow-x-auto bg-slate-950 p-4 font-mono text-[12.5px] leading-relaxed text-slate-100" data-testid="send-traces-snippet">
          {code}
        </pre>
        <CopyButton text={code} label={`Copy ${LABELS[lang]} snippet`} showLabel className="absolute right-2 top-2 bg-slate-800/80 text-slate-200 hover:bg-slate-700 hover:text-white" />
      </div>
    </section>
  );
}
