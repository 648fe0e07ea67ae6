"use client";
import { useRef, useState } from "react";
import { Button } from "@/components/ui/Button";
import { IconPlus } from "@/components/ui/Icons";
import { cn } from "@/components/ui/cn";
import { Popover } from "@/components/ui/Popover";
import { FILTER_UI_FIELDS, QUICK_SELECTS, type QuickSelect } from "@/lib/search/fields";
import { TIME_RANGES } from "@/lib/search/timeRanges";
import { clauseValue, filterUiClause, quote, setClause } from "./filterText";

const selectCls = (active: boolean) =>
  cn("h-7 rounded-md border px-1.5 text-xs shadow-sm focus:outline-none focus:ring-2 focus:ring-indigo-500/20", active ? "border-indigo-300 bg-indigo-50 font-medium text-indigo-800" : "border-slate-300 bg-white text-slate-700");

/** The registry's quick selects (trace fields, then the time range, then span fields), chips for the
 *  fields that have them, and "Add filter" for the registry's filter-UI fields. */
export function QuickFilters({ filter, range, onFilter, onRange }: { filter: string; range: string; onFilter: (f: string) => void; onRange: (r: string) => void }) {
  const select = (q: QuickSelect) => <QuickSelectBox key={q.clauseField} q={q} filter={filter} onFilter={onFilter} />;
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      {QUICK_SELECTS.filter((q) => q.scope === "trace").map(select)}
      <select aria-label="Time range" value={range} onChange={(e) => onRange(e.target.value)} className={selectCls(!!range)}>
        <option value="">All time</option>
        {TIME_RANGES.map((r) => (
          <option key={r.key} value={r.key}>{r.label}</option>
        ))}
      </select>
      {QUICK_SELECTS.filter((q) => q.scope === "span").map(select)}
      {FILTER_UI_FIELDS.filter((f) => f.chip).map((f) => (
        <ValueChip key={f.id} label={f.label} value={clauseValue(filter, f.clauseField)} onClear={() => onFilter(setClause(filter, f.clauseField, null))} />
      ))}
      <AddFilter filter={filter} onFilter={onFilter} />
    </div>
  );
}

function QuickSelectBox({ q, filter, onFilter }: { q: QuickSelect; filter: string; onFilter: (f: string) => void }) {
  const value = clauseValue(filter, q.clauseField) ?? "";
  return (
    <select aria-label={q.label} value={value} onChange={(e) => onFilter(setClause(filter, q.clauseField, e.target.value ? `${q.ref} = ${quote(e.target.value)}` : null))} className={selectCls(!!value)}>
      <option value="">{q.any}</option>
      {q.options.map((o) => (
        <option key={o.value} value={o.value}>{o.label}</option>
      ))}
    </select>
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

function AddFilter({ filter, onFilter }: { filter: string; onFilter: (f: string) => void }) {
  const [open, setOpen] = useState(false);
  const [fieldId, setFieldId] = useState(FILTER_UI_FIELDS[0].id);
  const field = FILTER_UI_FIELDS.find((f) => f.id === fieldId) ?? FILTER_UI_FIELDS[0];
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const valueRef = useRef<HTMLInputElement>(null);
  const apply = () => {
    const v = value.trim();
    if (!v) return;
    if (field.keyed && !key.trim()) return;
    const { field: target, clause } = filterUiClause(field, v, key.trim());
    const next = setClause(filter, target, clause);
    onFilter(next);
    setOpen(false);
    setValue("");
    setKey("");
  };
  return (
    <Popover
      label="Add filter"
      align="start"
      open={open}
      onOpenChange={setOpen}
      // the value is what one types first; the field select keeps its default
      onOpenAutoFocus={(e) => {
        e.preventDefault();
        valueRef.current?.focus();
      }}
      className="w-80 p-3"
      trigger={
        <Button size="sm" variant="ghost">
          <IconPlus size={13} /> Add filter
        </Button>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
        className="flex flex-col gap-2"
      >
        <select aria-label="Filter field" value={field.id} onChange={(e) => setFieldId(e.target.value)} className="h-8 rounded-md border border-slate-300 px-2 text-sm">
          {FILTER_UI_FIELDS.map((f) => (
            <option key={f.id} value={f.id}>{f.label}</option>
          ))}
        </select>
        {field.keyed && <input aria-label={`${field.label} key`} placeholder={`${field.label} key`} value={key} onChange={(e) => setKey(e.target.value)} className="h-8 rounded-md border border-slate-300 px-2 text-sm" />}
        <input ref={valueRef} aria-label="Filter value" placeholder="Value" value={value} onChange={(e) => setValue(e.target.value)} className="h-8 rounded-md border border-slate-300 px-2 text-sm" />
        <div className="flex justify-end gap-2">
          <Button size="sm" onClick={() => setOpen(false)}>Cancel</Button>
          <Button size="sm" type="submit" variant="primary" disabled={!value.trim() || (field.keyed && !key.trim())}>Apply</Button>
        </div>
      </form>
    </Popover>
  );
}
