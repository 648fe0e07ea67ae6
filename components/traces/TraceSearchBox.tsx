"use client";
import { useEffect, useRef, useState } from "react";
import { IconSearch, IconX } from "@/components/ui/Icons";
import { IconButton, SMALL_ICON_BUTTON } from "@/components/ui/Button";
import { cn } from "@/components/ui/cn";
import { Popover } from "@/components/ui/Popover";
import { useDraft } from "@/components/useDraft";
import { FILTER_FAMILIES, TRACE_FIELDS } from "@/lib/search/fields";
import { errorColumn } from "./filterText";

/** Every field the grammar knows, from the registry, so a new field shows up in the help too. */
const FIELD_HELP = [...TRACE_FIELDS.map((f) => `trace.${f.key}`), ...FILTER_FAMILIES.map((f) => f.syntax.replace(/<\w+>/g, "*").replace(/ \| /g, ", "))].join(", ");

const EXAMPLES = [
  "trace.status = 'ERROR'",
  "span.type = 'LLM' AND trace.execution_time_ms > 2000",
  "metadata.`mlflow.trace.user` = 'u-1'",
  "tag.reviewed = 'yes'",
  "trace.text LIKE '%refund%'",
];

/** The search box: MLflow's filter grammar, applied on Enter; a parse error points at its column. */
export function TraceSearchBox({ value, error, onSubmit }: { value: string; error: string | null; onSubmit: (v: string) => void }) {
  const [text, setText] = useDraft(value);
  const [help, setHelp] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const fieldRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "/" && !(e.target as HTMLElement).closest("input, textarea, select, dialog")) {
        e.preventDefault();
        inputRef.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const col = error ? errorColumn(error) : null;
  const dirty = text !== value;
  return (
    <div className="relative">
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(text);
        }}
        className="flex items-center gap-2"
      >
        <div ref={fieldRef} className={cn("relative flex flex-1 items-center rounded-md border bg-white shadow-sm focus-within:ring-2", error ? "border-red-400 focus-within:ring-red-500/20" : "border-slate-300 focus-within:border-indigo-500 focus-within:ring-indigo-500/20")}>
          <IconSearch size={14} className="pointer-events-none absolute left-2.5 text-slate-400" />
          <input
            ref={inputRef}
            aria-label="Filter traces"
            aria-invalid={!!error}
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onFocus={() => setHelp(true)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                setText(value);
                (e.target as HTMLInputElement).blur();
              }
            }}
            placeholder="Filter: trace.status = 'ERROR' AND span.type = 'LLM'   (press / to focus)"
            className="h-8 w-full rounded-md bg-transparent pl-8 pr-8 font-mono text-[12.5px] placeholder:font-sans placeholder:text-slate-400 focus:outline-none"
          />
          {text && (
            <IconButton
              label="Clear filter"
              onClick={() => {
                setText("");
                onSubmit("");
              }}
              className={cn(SMALL_ICON_BUTTON, "absolute right-1.5 text-slate-400")}
            >
              <IconX size={13} />
            </IconButton>
          )}
        </div>
        <button type="submit" className={cn("h-8 rounded-md px-3 text-sm font-medium shadow-sm", dirty ? "bg-indigo-600 text-white hover:bg-indigo-700" : "border border-slate-300 bg-white text-slate-700 hover:bg-slate-50")}>
          Search
        </button>
      </form>
      {error && (
        <div role="alert" data-testid="filter-error" className="mt-1.5 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-800">
          <div className="font-medium">{error}</div>
          {col !== null && value && (
            <pre className="mt-1 overflow-x-auto font-mono text-[12px] leading-tight text-red-900">
              {value}
              {"\n"}
              <span className="text-red-600">{" ".repeat(Math.max(0, col - 1))}^</span>
            </pre>
          )}
        </div>
      )}
      <Popover
        label="Filter examples"
        anchor={fieldRef}
        align="start"
        open={help && !error && !text}
        onOpenChange={(o) => !o && setHelp(false)}
        // the focus stays in the field (the examples are picked with the mouse), and a click in it keeps the help
        onOpenAutoFocus={(e) => e.preventDefault()}
        onInteractOutside={(e) => fieldRef.current?.contains(e.target as Node) && e.preventDefault()}
        className="w-[32rem]"
      >
        <div className="px-2 pb-1 text-[11px] font-medium uppercase tracking-wide text-slate-400">Examples</div>
        {EXAMPLES.map((ex) => (
          <button
            key={ex}
            type="button"
            onMouseDown={(e) => {
              e.preventDefault();
              setText(ex);
              inputRef.current?.focus();
            }}
            className="block w-full rounded px-2 py-1 text-left font-mono text-[12px] text-slate-700 hover:bg-slate-50"
          >
            {ex}
          </button>
        ))}
        <div className="px-2 pt-1 text-[11px] text-slate-500">Fields: {FIELD_HELP}. Combine with AND, OR, NOT and parentheses.</div>
      </Popover>
    </div>
  );
}
