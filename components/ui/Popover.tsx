"use client";
import * as RadixPopover from "@radix-ui/react-popover";
import { cn } from "./cn";

/**
 * A panel anchored to a button (pickers, filter editors) on Radix Popover: outside click, Escape, focus
 * return and collision-aware placement. For a list of actions use Menu.
 * `trigger` is the caller's own button (it must take a ref, as Button does): the pickers look like the
 * toolbar's other buttons. `label` names the panel, a dialog, for screen readers.
 */
export function Popover({
  trigger,
  label,
  children,
  align = "end",
  open,
  onOpenChange,
  onOpenAutoFocus,
  className,
}: {
  trigger: React.ReactElement;
  label: string;
  children: React.ReactNode;
  align?: "start" | "end";
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  /** to focus another field than the first (preventDefault, then focus it) */
  onOpenAutoFocus?: (e: Event) => void;
  className?: string;
}) {
  return (
    <RadixPopover.Root open={open} onOpenChange={onOpenChange}>
      <RadixPopover.Trigger asChild>{trigger}</RadixPopover.Trigger>
      <RadixPopover.Portal>
        <RadixPopover.Content
          aria-label={label}
          align={align}
          sideOffset={4}
          onOpenAutoFocus={onOpenAutoFocus}
          className={cn("z-40 rounded-lg border border-slate-200 bg-white p-2 text-sm shadow-lg focus:outline-none", className)}
        >
          {children}
        </RadixPopover.Content>
      </RadixPopover.Portal>
    </RadixPopover.Root>
  );
}
