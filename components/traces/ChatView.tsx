"use client";
import { useState } from "react";
import { cn } from "@/components/ui/cn";
import { JsonViewer } from "@/components/ui/JsonViewer";
import { Markdown } from "@/components/ui/Markdown";
import type { ChatMessage } from "@/lib/chat/messages";

const ROLE_STYLE: Record<string, { label: string; cls: string; bubble: string }> = {
  system: { label: "System", cls: "text-slate-500", bubble: "bg-slate-50 border-slate-200" },
  user: { label: "User", cls: "text-sky-700", bubble: "bg-sky-50/60 border-sky-200" },
  assistant: { label: "Assistant", cls: "text-violet-700", bubble: "bg-white border-slate-200" },
  tool: { label: "Tool", cls: "text-amber-700", bubble: "bg-amber-50/60 border-amber-200" },
};

function parseArgs(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function SystemMessage({ m }: { m: ChatMessage }) {
  const [open, setOpen] = useState(m.content.length < 400);
  return (
    <div className="rounded-lg border border-slate-200 bg-slate-50 px-3 py-2">
      <button type="button" onClick={() => setOpen((o) => !o)} className="text-[11px] font-semibold uppercase tracking-wide text-slate-500">
        System prompt {open ? "▾" : `▸ (${m.content.length.toLocaleString("en")} chars)`}
      </button>
      {open && <Markdown text={m.content} className="mt-1 text-slate-600" />}
    </div>
  );
}

/** A span's messages as a conversation: roles, Markdown content, tool calls and tool results inline. */
export function ChatView({ messages }: { messages: ChatMessage[] }) {
  return (
    <div className="space-y-3" data-testid="chat-view">
      {messages.map((m, i) => {
        if (m.role === "system") return <SystemMessage key={i} m={m} />;
        const s = ROLE_STYLE[m.role] ?? ROLE_STYLE.assistant;
        return (
          <div key={i} className={cn("rounded-lg border px-3 py-2 shadow-sm", s.bubble)}>
            <div className={cn("mb-1 flex items-center gap-2 text-[11px] font-semibold uppercase tracking-wide", s.cls)}>
              {s.label}
              {m.name && <span className="font-mono normal-case text-slate-500">{m.name}</span>}
              {m.toolCallId && <span className="font-mono text-[10px] normal-case text-slate-400">call {m.toolCallId}</span>}
            </div>
            {m.content ? <Markdown text={m.content} /> : !m.toolCalls?.length && <span className="text-xs italic text-slate-400">(empty)</span>}
            {m.toolCalls?.map((tc, j) => (
              <div key={j} className="mt-2 rounded-md border border-amber-200 bg-amber-50/50 px-2.5 py-1.5">
                <div className="flex items-center gap-2 text-xs">
                  <span className="rounded bg-amber-100 px-1 font-medium text-amber-800">tool call</span>
                  <span className="font-mono font-medium text-slate-800">{tc.name}</span>
                  {tc.id && <span className="font-mono text-[10px] text-slate-400">{tc.id}</span>}
                </div>
                <JsonViewer value={parseArgs(tc.arguments)} defaultDepth={2} className="mt-1" />
              </div>
            ))}
          </div>
        );
      })}
    </div>
  );
}
