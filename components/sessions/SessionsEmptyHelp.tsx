"use client";
// Shown when an experiment has no trace with a session ID: how to set one from each kind of client.
import { useState } from "react";
import { CopyButton } from "@/components/ui/CopyButton";
import { cn } from "@/components/ui/cn";
import { IconMessage } from "@/components/ui/Icons";

const SNIPPETS: { id: string; label: string; code: string }[] = [
  {
    id: "python",
    label: "Python",
    code: `import mlflow

@mlflow.trace
def chat(session_id: str, user_id: str, message: str) -> str:
    mlflow.update_current_trace(metadata={
        "mlflow.trace.session": session_id,
        "mlflow.trace.user": user_id,
    })
    return answer(message)`,
  },
  {
    id: "ts",
    label: "TypeScript",
    code: `import * as mlflow from "mlflow-tracing";

const chat = mlflow.trace(async (sessionId: string, userId: string, message: string) => {
  mlflow.updateCurrentTrace({
    metadata: { "mlflow.trace.session": sessionId, "mlflow.trace.user": userId },
  });
  return answer(message);
}, { name: "chat" });`,
  },
  {
    id: "otel",
    label: "OpenTelemetry",
    code: `// on the root span of each turn
span.setAttribute("session.id", sessionId);   // or gen_ai.conversation.id
span.setAttribute("user.id", userId);`,
  },
];

export function SessionsEmptyHelp({ experimentId }: { experimentId: string }) {
  const [tab, setTab] = useState("python");
  const s = SNIPPETS.find((x) => x.id === tab)!;
  return (
    <div className="mx-auto my-10 max-w-2xl rounded-xl border border-slate-200 bg-white p-6" data-testid="sessions-empty">
      <div className="mb-3 flex items-center gap-3">
        <div className="flex h-10 w-10 shrink-0 items-center justify-center rounded-full bg-indigo-50 text-indigo-600">
          <IconMessage size={18} />
        </div>
        <div>
          <h3 className="text-sm font-semibold text-slate-900">No sessions in this experiment yet</h3>
          <p className="text-sm text-slate-500">
            A session is the set of traces that share the metadata key <code className="rounded bg-slate-100 px-1 font-mono text-xs">mlflow.trace.session</code>. Each trace is one turn of
            the conversation; <code className="rounded bg-slate-100 px-1 font-mono text-xs">mlflow.trace.user</code> names the end user.
          </p>
        </div>
      </div>
      <div role="tablist" className="flex gap-1 border-b border-slate-200">
        {SNIPPETS.map((x) => (
          <button
            key={x.id}
            role="tab"
            aria-selected={tab === x.id}
            onClick={() => setTab(x.id)}
            className={cn("-mb-px border-b-2 px-3 py-1.5 text-sm", tab === x.id ? "border-indigo-600 font-medium text-indigo-700" : "border-transparent text-slate-500 hover:text-slate-800")}
          >
            {x.label}
          </button>
        ))}
      </div>
      <div className="relative mt-3">
        <pre className="overflow-x-auto rounded-lg bg-slate-900 p-4 text-[12.5px] leading-relaxed text-slate-100">{s.code}</pre>
        <CopyButton text={s.code} label="Copy snippet" className="absolute right-2 top-2 text-slate-400 hover:bg-slate-800 hover:text-white" />
      </div>
      <p className="mt-3 text-xs text-slate-500">
        Traces sent to experiment <span className="font-mono">{experimentId}</span> with these keys appear here within a second, grouped by session and by user.
      </p>
    </div>
  );
}
