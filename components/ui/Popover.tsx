"use client";
import * as RadixPopover from "@radix-ui/react-popover";
import { cn } from "./cn";

/**
 * A panel anchored to a button (pickers, filter editors) on Radix Popover: outside click, Escape, focus
 * return and collision-aware placement. For a list of actions use Menu.
 */
export function Popover({ trigger, label, children, align = "end", open, onOpenChange, className }: { trigger: React.ReactNode; label: string; children: React.ReactNode; align?: "start" | "end"; open?: boolean; onOpenChange?: (open: boolean) => void; className?: string }) {
  return (
    <RadixPopover.Root open={open} onOpenChange={onOpenChange}>
      <RadixPopover.Trigger aria-label={label} className="inline-flex items-center gap-1 rounded-md text-slate-500 hover:bg-slate-100 hover:text-slate-900 data-[state=open]:bg-slate-100">
        {trigger}
      </RadixPopover.Trigger>
      <RadixPopover.Portal>
        <RadixPopover.Content align={align} sideOffset={4} className={cn("z-40 rounded-lg border border-slate-200 bg-white p-2 text-sm shadow-lg focus:outline-none", className)}>
          {children}
        </RadixPopover.Content>
      </RadixPopover.Portal>
    </RadixPopover.Root>
  );
}
