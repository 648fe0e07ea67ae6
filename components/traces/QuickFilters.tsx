"use client";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/Button";
import { IconPlus } from "@/components/ui/Icons";
import { cn } from "@/components/ui/cn";
import { clauseValue, quote, sessionClause, SESSION_FIELD, setClause, userClause, USER_FIELD } from "./filterText";

const STATES = [
  { v: "OK", label: "OK" },
  { v: "ERROR", label: "Error" },
  { v: "IN_PROGRESS", label: "In progress" },
];
const SPAN_TYPES = ["LLM", "CHAT_MODEL", "AGENT", "TOOL", "RETRIEVER", "CHAIN", "EMBEDDING", "RERANKER", "PARSER"];
const RANGES = [
  { v: "15m", label: "Last 15 min" },
  { v: "1h", label: "Last hour" },
  { v: "24h", label: "Last 24 h" },
  { v: "7d", label: "Last 7 days" },
  { v: "30d", label: "Last 30 days" },
];

const selectCls = (active: boolean) =>
  cn("h-7 rounded-md border px-1.5 text-xs shadow-sm focus:outline-none focus:ring-2 focus:ring-indigo-500/20", active ? "border-indigo-300 bg-indigo-50 font-medium text-indigo-800" : "border-slate-300 bg-white text-slate-700");

/** State, time range and span type selects, plus "Add filter" for session, user, tag and name. */
export function QuickFilters({ filter, range, onFilter, onRange }: { filter: string; range: string; onFilter: (f: string) => void; onRange: (r: string) => void }) {
  const state = clauseValue(filter, "status") ?? "";
  const spanType = clauseValue(filter, "span.type") ?? "";
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      <select aria-label="State" value={state} onChange={(e) => onFilter(setClause(filter, "status", e.target.value ? `trace.status = '${e.target.value}'` : null))} className={selectCls(!!state)}>
        <option value="">Any state</option>
        {STATES.map((s) => (
          <option key={s.v} value={s.v}>{s.label}</option>
        ))}
      </select>
      <select aria-label="Time range" value={range} onChange={(e) => onRange(e.target.value)} className={selectCls(!!range)}>
        <option value="">All time</option>
        {RANGES.map((r) => (
          <option key={r.v} value={r.v}>{r.label}</option>
        ))}
      </select>
      <select aria-label="Span type" value={spanType} onChange={(e) => onFilter(setClause(filter, "span.type", e.target.value ? `span.type = '${e.target.value}'` : null))} className={selectCls(!!spanType)}>
        <option value="">Any span type</option>
        {SPAN_TYPES.map((t) => (
          <option key={t} value={t}>Has {t} span</option>
        ))}
      </select>
      <ValueChip label="Session" value={clauseValue(filter, SESSION_FIELD)} onClear={() => onFilter(setClause(filter, SESSION_FIELD, null))} />
      <ValueChip label="User" value={clauseValue(filter, USER_FIELD)} onClear={() => onFilter(setClause(filter, USER_FIELD, null))} />
      <AddFilter filter={filter} onFilter={onFilter} />
    </div>
  );
}

function ValueChip({ label, value, onClear }: { label: string; value: string | null; onClear: () => void }) {
  if (value === null) return null;
  return (
    <span className="inline-flex h-7 items-center gap-1 rounded-md border border-indigo-300 bg-indigo-50 pl-2 text-xs text-indigo-800">
      {label}: <strong className="max-w-40 truncate font-medium">{value}</strong>
      <button type="button" aria-label={`Clear ${label.toLowerCase()} filter`} onClick={onClear} className="px-1.5 text-indigo-500 hover:text-indigo-900">×</button>
    </span>
  );
}

type Field = "session" | "user" | "tag" | "name" | "span.name" | "text";
const FIELDS: { v: Field; label: string }[] = [
  { v: "session", label: "Session" },
  { v: "user", label: "User" },
  { v: "tag", label: "Tag" },
  { v: "name", label: "Trace name" },
  { v: "span.name", label: "Span name" },
  { v: "text", label: "Text contains" },
];

function AddFilter({ filter, onFilter }: { filter: string; onFilter: (f: string) => void }) {
  const [open, setOpen] = useState(false);
  const [field, setField] = useState<Field>("session");
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);
  const apply = () => {
    const v = value.trim();
    if (!v) return;
    let next = filter;
    if (field === "session") next = setClause(filter, SESSION_FIELD, sessionClause(v));
    else if (field === "user") next = setClause(filter, USER_FIELD, userClause(v));
    else if (field === "tag") {
      if (!key.trim()) return;
      next = setClause(filter, `tag.${key.trim()}`, `tag.\`${key.trim()}\` = ${quote(v)}`);
    } else if (field === "name") next = setClause(filter, "name", `trace.name = ${quote(v)}`);
    else if (field === "span.name") next = setClause(filter, "span.name", `span.name = ${quote(v)}`);
    else next = setClause(filter, "text", `trace.text ILIKE ${quote(`%${v}%`)}`);
    onFilter(next);
    setOpen(false);
    setValue("");
    setKey("");
  };
  return (
    <div ref={ref} className="relative">
      <Button size="sm" variant="ghost" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        <IconPlus size={13} /> Add filter
      </Button>
      {open && (
        <form
          role="dialog"
          aria-label="Add filter"
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
          className="absolute left-0 z-30 mt-1 flex w-80 flex-col gap-2 rounded-lg border border-slate-200 bg-white p-3 shadow-lg"
        >
          <select aria-label="Filter field" value={field} onChange={(e) => setField(e.target.value as Field)} className="h-8 rounded-md border border-slate-300 px-2 text-sm">
            {FIELDS.map((f) => (
              <option key={f.v} value={f.v}>{f.label}</option>
            ))}
          </select>
          {field === "tag" && <input aria-label="Tag key" placeholder="Tag key" value={key} onChange={(e) => setKey(e.target.value)} className="h-8 rounded-md border border-slate-300 px-2 text-sm" />}
          <input autoFocus aria-label="Filter value" placeholder="Value" value={value} onChange={(e) => setValue(e.target.value)} className="h-8 rounded-md border border-slate-300 px-2 text-sm" />
          <div className="flex justify-end gap-2">
            <Button size="sm" onClick={() => setOpen(false)}>Cancel</Button>
            <Button size="sm" type="submit" variant="primary" disabled={!value.trim() || (field === "tag" && !key.trim())}>Apply</Button>
          </div>
        </form>
      )}
    </div>
  );
}
