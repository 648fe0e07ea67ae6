"use client";
import * as RadixPopover from "@radix-ui/react-popover";
import { cn } from "./cn";

/**
 * A panel anchored to a button (pickers, filter editors) on Radix Popover: outside click, Escape, focus
 * return and collision-aware placement. For a list of actions use Menu.
 * `trigger` is the caller's own button (it must take a ref, as Button does): the pickers look like the
 * toolbar's other buttons. Or `anchor` instead: an element of the caller's the panel hangs under while the
 * caller opens it (a field's help, which opens on focus). `label` names the panel, a dialog, for screen readers.
 */
export function Popover({
  trigger,
  label,
  children,
  align = "end",
  open,
  onOpenChange,
  onOpenAutoFocus,
  onInteractOutside,
  className,
  anchor,
}: {
  trigger?: React.ReactElement;
  anchor?: React.RefObject<HTMLElement | null>;
  label: string;
  children: React.ReactNode;
  align?: "start" | "end";
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  /** to focus another field than the first (preventDefault, then focus it) */
  onOpenAutoFocus?: (e: Event) => void;
  /** preventDefault keeps the panel open, e.g. for a click on its anchor */
  onInteractOutside?: (e: CustomEvent<{ originalEvent: Event }>) => void;
  className?: string;
}) {
  return (
    <RadixPopover.Root open={open} onOpenChange={onOpenChange}>
      {trigger && <RadixPopover.Trigger asChild>{trigger}</RadixPopover.Trigger>}
      {anchor && <RadixPopover.Anchor virtualRef={anchor} />}
      <RadixPopover.Portal>
        <RadixPopover.Content
          aria-label={label}
          align={align}
          sideOffset={4}
          onOpenAutoFocus={onOpenAutoFocus}
          onInteractOutside={onInteractOutside}
          className={cn("z-40 rounded-lg border border-slate-200 bg-white p-2 text-sm shadow-lg focus:outline-none", className)}
        >
          {children}
        </RadixPopover.Content>
      </RadixPopover.Portal>
    </RadixPopover.Root>
  );
}
