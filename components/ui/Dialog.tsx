"use client";
import { useEffect, useRef } from "react";
import { cn } from "./cn";
import { IconX } from "./Icons";

/** Modal on the native <dialog> element: focus trap, Escape and top-layer stacking come for free. */
export function Dialog({ open, onClose, title, children, footer, className }: { open: boolean; onClose: () => void; title: string; children: React.ReactNode; footer?: React.ReactNode; className?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  // The native 'close' event comes a task after d.close(): when the dialog was closed because `open` went
  // false and then reopened quickly (Escape, then Enter on the button that opens it), that late event
  // closed the new one. Only a close the page did not ask for is reported: the dialog is closed now, and
  // `open` still says it should not be.
  const wantOpen = useRef(open);
  wantOpen.current = open;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // showModal() focuses the first focusable element, the header's close button, and React's autoFocus
      // ran before the dialog was open: typed text was lost and Enter closed the dialog. A dialog with a
      // form field starts in it (data-autofocus picks another one), so Enter submits and Escape cancels.
      d.querySelector<HTMLElement>("[data-autofocus], input:not([type=hidden]):not([disabled]), textarea, select")?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-label={title}
      onClose={() => {
        if (wantOpen.current && !ref.current?.open) onClose();
      }}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onMouseDown={(e) => {
        if (e.target === ref.current) onClose();
      }}
      className={cn("m-auto w-full max-w-md rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-900/40 backdrop:backdrop-blur-[1px]", className)}
    >
      {open && (
        <div className="flex flex-col">
          <div className="flex items-center justify-between border-b border-slate-100 px-5 py-3.5">
            <h2 className="text-base font-semibold">{title}</h2>
            <button type="button" aria-label="Close" onClick={onClose} className="rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700">
              <IconX />
            </button>
          </div>
          <div className="px-5 py-4">{children}</div>
          {footer && <div className="flex justify-end gap-2 border-t border-slate-100 bg-slate-50/60 px-5 py-3 rounded-b-xl">{footer}</div>}
        </div>
      )}
    </dialog>
  );
}
