import { cn } from "./cn";

type Tone = "slate" | "green" | "red" | "amber" | "indigo" | "cyan" | "violet";
const TONES: Record<Tone, string> = {
  slate: "bg-slate-100 text-slate-700 ring-slate-200",
  green: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  red: "bg-red-50 text-red-700 ring-red-200",
  amber: "bg-amber-50 text-amber-800 ring-amber-200",
  indigo: "bg-indigo-50 text-indigo-700 ring-indigo-200",
  cyan: "bg-cyan-50 text-cyan-800 ring-cyan-200",
  violet: "bg-violet-50 text-violet-700 ring-violet-200",
};

export function Badge({ tone = "slate", className, children, title }: { tone?: Tone; className?: string; children: React.ReactNode; title?: string }) {
  return (
    <span title={title} className={cn("inline-flex items-center gap-1 rounded px-1.5 py-px text-[11px] font-medium ring-1 ring-inset whitespace-nowrap max-w-full", TONES[tone], className)}>
      {children}
    </span>
  );
}

/** Trace state (OK / ERROR / IN_PROGRESS) or span status (OK / ERROR / UNSET). */
export function StateBadge({ state }: { state: string | null | undefined }) {
  const s = state ?? "STATE_UNSPECIFIED";
  if (s === "OK") return <Badge tone="green"><Dot className="bg-emerald-500" />OK</Badge>;
  if (s === "ERROR") return <Badge tone="red"><Dot className="bg-red-500" />Error</Badge>;
  if (s === "IN_PROGRESS") return <Badge tone="amber"><Dot className="bg-amber-500 animate-pulse" />In progress</Badge>;
  return <Badge tone="slate">{s === "STATE_UNSPECIFIED" || s === "UNSET" ? "Unset" : s}</Badge>;
}

function Dot({ className }: { className: string }) {
  return <span aria-hidden className={cn("inline-block h-1.5 w-1.5 rounded-full", className)} />;
}

/** A key=value pill used for tags and metadata. */
export function KeyValuePill({ k, v, onRemove }: { k: string; v: string; onRemove?: () => void }) {
  return (
    <span className="inline-flex max-w-xs items-center overflow-hidden rounded border border-slate-200 bg-white text-[11px] leading-5" title={`${k}: ${v}`}>
      <span className="truncate bg-slate-50 px-1.5 text-slate-500 border-r border-slate-200 max-w-[10rem]">{k}</span>
      <span className="truncate px-1.5 font-medium text-slate-800">{v === "" ? <em className="text-slate-400">empty</em> : v}</span>
      {onRemove && (
        <button type="button" aria-label={`Remove tag ${k}`} onClick={onRemove} className="px-1 text-slate-400 hover:bg-red-50 hover:text-red-600">
          ×
        </button>
      )}
    </span>
  );
}
