"use client";
// A collapsible JSON tree that renders lazily: children mount only when their node is expanded, and big
// objects/arrays show 100 entries at a time, so a multi-megabyte value costs what is on screen.
import { useState } from "react";
import { cn } from "./cn";
import { IconChevronDown, IconChevronRight } from "./Icons";

const PAGE = 100;
const LONG_STRING = 600;

function Primitive({ value }: { value: unknown }) {
  if (value === null) return <span className="text-slate-400">null</span>;
  if (typeof value === "number") return <span className="text-sky-700">{String(value)}</span>;
  if (typeof value === "boolean") return <span className="text-violet-700">{String(value)}</span>;
  if (typeof value === "string") return <LongString value={value} />;
  return <span>{String(value)}</span>;
}

function LongString({ value }: { value: string }) {
  const [full, setFull] = useState(false);
  const long = value.length > LONG_STRING;
  const shown = long && !full ? value.slice(0, LONG_STRING) : value;
  return (
    <span className="whitespace-pre-wrap break-words text-emerald-800">
      &quot;{shown}
      {long && !full ? "…" : ""}&quot;
      {long && (
        <button type="button" onClick={() => setFull((f) => !f)} className="ml-1 rounded bg-slate-100 px-1 font-sans text-[11px] text-slate-600 hover:bg-slate-200">
          {full ? "less" : `+${(value.length - LONG_STRING).toLocaleString("en")} chars`}
        </button>
      )}
    </span>
  );
}

function Node({ name, value, depth, defaultDepth }: { name: string | number | null; value: unknown; depth: number; defaultDepth: number }) {
  const isObj = value !== null && typeof value === "object";
  const [open, setOpen] = useState(depth < defaultDepth);
  const [limit, setLimit] = useState(PAGE);
  const label =
    name === null ? null : (
      <span className={typeof name === "number" ? "text-slate-400" : "text-slate-600"}>
        {typeof name === "number" ? name : name}
        <span className="mr-1 text-slate-400">:</span>
      </span>
    );
  if (!isObj) {
    return (
      <div className="py-px pl-4">
        {label}
        <Primitive value={value} />
      </div>
    );
  }
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value as Record<string, unknown>);
  const brackets = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  const summary = Array.isArray(value) ? `${entries.length} item${entries.length === 1 ? "" : "s"}` : `${entries.length} key${entries.length === 1 ? "" : "s"}`;
  return (
    <div className="py-px">
      <button type="button" onClick={() => setOpen((o) => !o)} className="group flex items-center text-left" aria-expanded={open}>
        <span className="w-4 text-slate-400 group-hover:text-slate-700">{open ? <IconChevronDown size={12} /> : <IconChevronRight size={12} />}</span>
        {label}
        <span className="text-slate-400">
          {brackets[0]}
          {!open && <span className="mx-1 rounded bg-slate-100 px-1 font-sans text-[11px] text-slate-500">{summary}</span>}
          {!open && brackets[1]}
        </span>
      </button>
      {open && (
        <div className="ml-[7px] border-l border-slate-200 pl-1.5">
          {entries.slice(0, limit).map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} defaultDepth={defaultDepth} />
          ))}
          {entries.length > limit && (
            <button type="button" onClick={() => setLimit((l) => l + PAGE * 5)} className="ml-4 rounded bg-slate-100 px-1.5 py-px font-sans text-[11px] text-slate-600 hover:bg-slate-200">
              Show {Math.min(PAGE * 5, entries.length - limit).toLocaleString("en")} more of {(entries.length - limit).toLocaleString("en")}
            </button>
          )}
        </div>
      )}
      {open && <div className="pl-4 text-slate-400">{brackets[1]}</div>}
    </div>
  );
}

export function JsonViewer({ value, defaultDepth = 2, className }: { value: unknown; defaultDepth?: number; className?: string }) {
  return (
    <div className={cn("font-mono text-[12px] leading-[1.55] text-slate-800", className)} data-testid="json-viewer">
      <Node name={null} value={value} depth={0} defaultDepth={defaultDepth} />
    </div>
  );
}
