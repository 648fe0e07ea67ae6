// Inline stroke icons (no icon font or remote asset). 16px by default, currentColor.
type P = React.SVGProps<SVGSVGElement> & { size?: number };

function Svg({ size = 16, children, ...rest }: P & { children: React.ReactNode }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden {...rest}>
      {children}
    </svg>
  );
}

export const IconPlus = (p: P) => <Svg {...p}><path d="M12 5v14M5 12h14" /></Svg>;
export const IconSearch = (p: P) => <Svg {...p}><circle cx="11" cy="11" r="7" /><path d="m20 20-3.5-3.5" /></Svg>;
export const IconCopy = (p: P) => <Svg {...p}><rect x="9" y="9" width="12" height="12" rx="2" /><path d="M5 15V5a2 2 0 0 1 2-2h10" /></Svg>;
export const IconCheck = (p: P) => <Svg {...p}><path d="M20 6 9 17l-5-5" /></Svg>;
export const IconX = (p: P) => <Svg {...p}><path d="M18 6 6 18M6 6l12 12" /></Svg>;
export const IconMore = (p: P) => <Svg {...p}><circle cx="12" cy="5" r="1" /><circle cx="12" cy="12" r="1" /><circle cx="12" cy="19" r="1" /></Svg>;
export const IconChevronRight = (p: P) => <Svg {...p}><path d="m9 18 6-6-6-6" /></Svg>;
export const IconChevronDown = (p: P) => <Svg {...p}><path d="m6 9 6 6 6-6" /></Svg>;
export const IconChevronLeft = (p: P) => <Svg {...p}><path d="m15 18-6-6 6-6" /></Svg>;
export const IconChevronUp = (p: P) => <Svg {...p}><path d="m18 15-6-6-6 6" /></Svg>;
export const IconArrowUp = (p: P) => <Svg {...p}><path d="M12 19V5M5 12l7-7 7 7" /></Svg>;
export const IconArrowDown = (p: P) => <Svg {...p}><path d="M12 5v14M19 12l-7 7-7-7" /></Svg>;
export const IconTrash = (p: P) => <Svg {...p}><path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6" /></Svg>;
export const IconTag = (p: P) => <Svg {...p}><path d="M20.6 13.4 13.4 20.6a2 2 0 0 1-2.8 0L3 13V3h10l7.6 7.6a2 2 0 0 1 0 2.8Z" /><circle cx="7.5" cy="7.5" r="1.5" /></Svg>;
export const IconColumns = (p: P) => <Svg {...p}><rect x="3" y="4" width="18" height="16" rx="2" /><path d="M9 4v16M15 4v16" /></Svg>;
export const IconRefresh = (p: P) => <Svg {...p}><path d="M21 12a9 9 0 1 1-3-6.7L21 8" /><path d="M21 3v5h-5" /></Svg>;
export const IconExternal = (p: P) => <Svg {...p}><path d="M15 3h6v6M10 14 21 3M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6" /></Svg>;
export const IconAlert = (p: P) => <Svg {...p}><path d="M12 9v4M12 17h.01" /><path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" /></Svg>;
export const IconTerminal = (p: P) => <Svg {...p}><path d="m4 17 6-6-6-6M12 19h8" /></Svg>;
export const IconFlask = (p: P) => <Svg {...p}><path d="M9 3h6M10 3v6L4 19a1.5 1.5 0 0 0 1.3 2h13.4a1.5 1.5 0 0 0 1.3-2L14 9V3" /><path d="M7 15h10" /></Svg>;
export const IconMessage = (p: P) => <Svg {...p}><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z" /></Svg>;
export const IconUser = (p: P) => <Svg {...p}><circle cx="12" cy="8" r="4" /><path d="M4 21a8 8 0 0 1 16 0" /></Svg>;
export const IconClock = (p: P) => <Svg {...p}><circle cx="12" cy="12" r="9" /><path d="M12 7v5l3 2" /></Svg>;
export const IconFilter = (p: P) => <Svg {...p}><path d="M3 5h18l-7 8v6l-4 2v-8z" /></Svg>;
export const IconThumbUp = (p: P) => <Svg {...p}><path d="M7 10v11H4V10zM7 10l4-7a2 2 0 0 1 2.8 1.9L13 9h6a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 17.6 21H7" /></Svg>;
export const IconThumbDown = (p: P) => <Svg {...p}><path d="M17 14V3h3v11zM17 14l-4 7a2 2 0 0 1-2.8-1.9L11 15H5a2 2 0 0 1-2-2.3l1.4-8A2 2 0 0 1 6.4 3H17" /></Svg>;

// Span type icons: a letter glyph in a tinted square reads faster than 15 distinct pictograms.
const SPAN_TYPE_STYLE: Record<string, { label: string; cls: string }> = {
  LLM: { label: "L", cls: "bg-violet-100 text-violet-700" },
  CHAT_MODEL: { label: "C", cls: "bg-violet-100 text-violet-700" },
  CHAIN: { label: "Ch", cls: "bg-sky-100 text-sky-700" },
  AGENT: { label: "A", cls: "bg-indigo-100 text-indigo-700" },
  TOOL: { label: "T", cls: "bg-amber-100 text-amber-800" },
  RETRIEVER: { label: "R", cls: "bg-emerald-100 text-emerald-700" },
  EMBEDDING: { label: "E", cls: "bg-teal-100 text-teal-700" },
  RERANKER: { label: "Rr", cls: "bg-lime-100 text-lime-800" },
  PARSER: { label: "P", cls: "bg-slate-200 text-slate-700" },
  MEMORY: { label: "M", cls: "bg-pink-100 text-pink-700" },
  WORKFLOW: { label: "W", cls: "bg-sky-100 text-sky-700" },
  TASK: { label: "K", cls: "bg-sky-100 text-sky-700" },
  GUARDRAIL: { label: "G", cls: "bg-orange-100 text-orange-700" },
  EVALUATOR: { label: "V", cls: "bg-fuchsia-100 text-fuchsia-700" },
};

export function SpanTypeIcon({ type, size = 18 }: { type: string | null | undefined; size?: number }) {
  const t = (type ?? "UNKNOWN").toUpperCase();
  const s = SPAN_TYPE_STYLE[t] ?? { label: "•", cls: "bg-slate-100 text-slate-500" };
  return (
    <span
      title={t}
      aria-label={`span type ${t}`}
      className={`inline-flex shrink-0 items-center justify-center rounded font-semibold ${s.cls}`}
      style={{ width: size, height: size, fontSize: Math.round(size * (s.label.length > 1 ? 0.5 : 0.6)), letterSpacing: s.label.length > 1 ? "-0.04em" : undefined }}
    >
      {s.label}
    </span>
  );
}
