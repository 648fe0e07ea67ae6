"use client";
import { useEffect, useRef, useState } from "react";
import { cn } from "./cn";

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
}

/** A small popover menu (⋮ menus); closes on outside click and Escape. */
export function Menu({ trigger, items, align = "right", label }: { trigger: React.ReactNode; items: MenuItem[]; align?: "left" | "right"; label: string }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  return (
    <div ref={ref} className="relative inline-block">
      <button
        type="button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={(e) => {
          e.stopPropagation();
          e.preventDefault();
          setOpen((o) => !o);
        }}
        className="inline-flex h-7 w-7 items-center justify-center rounded-md text-slate-500 hover:bg-slate-100 hover:text-slate-900"
      >
        {trigger}
      </button>
      {open && (
        <div role="menu" className={cn("absolute z-30 mt-1 min-w-40 rounded-lg border border-slate-200 bg-white py-1 shadow-lg", align === "right" ? "right-0" : "left-0")}>
          {items.map((it) => (
            <button
              key={it.label}
              type="button"
              role="menuitem"
              disabled={it.disabled}
              onClick={(e) => {
                e.stopPropagation();
                e.preventDefault();
                setOpen(false);
                it.onSelect();
              }}
              className={cn("block w-full px-3 py-1.5 text-left text-sm disabled:opacity-40", it.danger ? "text-red-600 hover:bg-red-50" : "text-slate-700 hover:bg-slate-50")}
            >
              {it.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
