"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { CopyButton } from "@/components/ui/CopyButton";
import { cn } from "@/components/ui/cn";
import { IconMore, IconTerminal } from "@/components/ui/Icons";
import { Menu } from "@/components/ui/Menu";
import { DeleteExperimentDialog, RenameExperimentDialog } from "./ExperimentDialogs";
import { SendTracesPanel } from "./SendTracesPanel";

export function ExperimentHeader({ experiment }: { experiment: { id: string; name: string; hasTraces: boolean; description: string | null } }) {
  const pathname = usePathname();
  const router = useRouter();
  const [showSend, setShowSend] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const base = `/experiments/${experiment.id}`;
  const tabs = [
    { href: `${base}/traces`, label: "Traces" },
    { href: `${base}/sessions`, label: "Sessions" },
    { href: `${base}/users`, label: "Users" },
  ];
  return (
    <div className="shrink-0 border-b border-slate-200 bg-white">
      <div className="flex items-center gap-3 px-5 pt-3">
        <div className="min-w-0">
          <div className="flex items-center gap-1 text-xs text-slate-500">
            <Link href="/" className="hover:text-slate-800">Experiments</Link>
            <span>/</span>
          </div>
          <div className="flex min-w-0 items-center gap-2">
            <h1 className="truncate text-base font-semibold tracking-tight" title={experiment.name}>{experiment.name}</h1>
            <span className="inline-flex items-center rounded border border-slate-200 bg-slate-50 pl-1.5 font-mono text-[11px] text-slate-600">
              ID {experiment.id}
              <CopyButton text={experiment.id} label="Copy experiment ID" className="p-0.5" />
            </span>
          </div>
          {experiment.description && <p className="truncate text-xs text-slate-500">{experiment.description}</p>}
        </div>
        <div className="ml-auto flex items-center gap-1">
          {experiment.hasTraces && (
            <Button size="sm" variant={showSend ? "primary" : "secondary"} onClick={() => setShowSend((s) => !s)} aria-expanded={showSend}>
              <IconTerminal size={13} /> Send traces
            </Button>
          )}
          <Menu
            label="Experiment actions"
            trigger={<IconMore size={16} />}
            items={[
              { label: "Rename", onSelect: () => setRenaming(true) },
              { label: "Delete", danger: true, disabled: experiment.id === "0", onSelect: () => setDeleting(true) },
            ]}
          />
        </div>
      </div>
      {showSend && (
        <div className="px-5 pt-3">
          <SendTracesPanel experimentId={experiment.id} experimentName={experiment.name} />
        </div>
      )}
      <nav className="mt-2 flex gap-1 px-4" aria-label="Experiment sections">
        {tabs.map((t) => {
          const active = pathname === t.href || pathname.startsWith(t.href + "/");
          return (
            <Link
              key={t.href}
              href={t.href}
              aria-current={active ? "page" : undefined}
              className={cn("-mb-px border-b-2 px-3 py-2 text-sm font-medium", active ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-500 hover:border-slate-300 hover:text-slate-800")}
            >
              {t.label}
            </Link>
          );
        })}
      </nav>
      <RenameExperimentDialog experiment={renaming ? experiment : null} onClose={() => setRenaming(false)} />
      <DeleteExperimentDialog experiment={deleting ? experiment : null} onClose={() => setDeleting(false)} onDeleted={() => router.push("/")} />
    </div>
  );
}
