"use client";
import { useState } from "react";
import { cn } from "./cn";
import { IconCheck, IconCopy } from "./Icons";

/** Copies `text`; works on plain-http origins too (navigator.clipboard needs a secure context). */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.style.position = "fixed";
  ta.style.opacity = "0";
  document.body.appendChild(ta);
  ta.select();
  document.execCommand("copy");
  ta.remove();
}

export function CopyButton({ text, label = "Copy", className, showLabel = false }: { text: string; label?: string; className?: string; showLabel?: boolean }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      aria-label={label}
      title={done ? "Copied" : label}
      onClick={async (e) => {
        e.stopPropagation();
        await copyText(text);
        setDone(true);
        setTimeout(() => setDone(false), 1200);
      }}
      className={cn("inline-flex items-center gap-1 rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700", className)}
    >
      {done ? <IconCheck size={14} className="text-emerald-600" /> : <IconCopy size={14} />}
      {showLabel && <span className="text-xs">{done ? "Copied" : label}</span>}
    </button>
  );
}
