"use client";
import * as RadixDialog from "@radix-ui/react-dialog";
import { useRef } from "react";
import { Button } from "./Button";
import { cn } from "./cn";
import { IconX } from "./Icons";

/**
 * Modal on Radix Dialog: focus trap, Escape, outside click, scroll lock and aria-labelledby from the title.
 * Radix mounts the content only while open, so a quick reopen (Escape, then Enter on the opener) is a
 * fresh dialog with nothing late from the previous close.
 */
export function Dialog({ open, onClose, title, children, footer, className }: { open: boolean; onClose: () => void; title: string; children: React.ReactNode; footer?: React.ReactNode; className?: string }) {
  // Radix gives focus back to its own Trigger; our dialogs are opened by buttons and menu items it does
  // not know, so focus goes back to what had it when the dialog opened. Read while rendering the open
  // dialog, not in an effect: a field with autoFocus has taken the focus by the time effects run.
  const opener = useRef<HTMLElement | null>(null);
  const wasOpen = useRef(false);
  if (open && !wasOpen.current && typeof document !== "undefined") opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  wasOpen.current = open;
  return (
    <RadixDialog.Root open={open} onOpenChange={(o) => !o && onClose()}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-50 bg-slate-900/40 backdrop-blur-[1px]" />
        <RadixDialog.Content
          // no description element: the body says it, and Radix would warn about a dangling aria-describedby
          aria-describedby={undefined}
          onOpenAutoFocus={(e) => {
            // Radix focuses the first focusable element, the header's close button: typed text was lost and
            // Enter closed the dialog. A dialog with a form field starts in it (data-autofocus picks another
            // one), so Enter submits and Escape cancels.
            const field = (e.currentTarget as HTMLElement | null)?.querySelector<HTMLElement>("[data-autofocus], input:not([type=hidden]):not([disabled]), textarea, select");
            if (field) {
              e.preventDefault();
              field.focus();
            }
          }}
          onCloseAutoFocus={(e) => {
            if (opener.current?.isConnected) {
              e.preventDefault();
              opener.current.focus();
            }
          }}
          className={cn(
            "fixed left-1/2 top-1/2 z-50 max-h-[calc(100vh-2rem)] w-[calc(100vw-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 overflow-auto rounded-xl border border-slate-200 bg-white text-slate-900 shadow-2xl focus:outline-none",
            className,
          )}
        >
          <div className="flex flex-col">
            <div className="flex items-center justify-between border-b border-slate-100 px-5 py-3.5">
              <RadixDialog.Title className="text-base font-semibold">{title}</RadixDialog.Title>
              <RadixDialog.Close aria-label="Close" className="rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700">
                <IconX />
              </RadixDialog.Close>
            </div>
            <div className="px-5 py-4">{children}</div>
            {footer && <div className="flex justify-end gap-2 rounded-b-xl border-t border-slate-100 bg-slate-50/60 px-5 py-3">{footer}</div>}
          </div>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/** "Delete …?": the consequence, the server's refusal if any, Cancel and a danger button. */
export function ConfirmDialog(props: { open: boolean; onClose: () => void; title: string; children: React.ReactNode; error?: string | null; pending: boolean; onConfirm: () => void; confirmLabel: string; pendingLabel: string }) {
  return (
    <Dialog open={props.open} onClose={props.onClose} title={props.title}>
      {props.children}
      {props.error && <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">{props.error}</p>}
      <div className="mt-5 flex justify-end gap-2">
        <Button onClick={props.onClose}>Cancel</Button>
        <Button variant="danger" disabled={props.pending} onClick={props.onConfirm}>
          {props.pending ? props.pendingLabel : props.confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
