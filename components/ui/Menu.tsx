"use client";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useRef } from "react";
import { cn } from "./cn";

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
}

/**
 * A small action menu (⋮ menus) on Radix DropdownMenu: arrow keys, typeahead, Escape and outside click.
 * Not modal: items open dialogs, and a modal menu still holding the page inert while the dialog mounts
 * left the dialog's fields unclickable.
 */
export function Menu({ trigger, items, align = "right", label }: { trigger: React.ReactNode; items: MenuItem[]; align?: "left" | "right"; label: string }) {
  // An item runs once the menu has given focus back to its button: a dialog it opens then returns the
  // focus there on close, not to the removed item (the page's body).
  const chosen = useRef<(() => void) | null>(null);
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger
        aria-label={label}
        // menus sit in clickable rows and links: the click is the menu's only
        onClick={(e) => {
          e.stopPropagation();
          e.preventDefault();
        }}
        className="inline-flex h-7 w-7 items-center justify-center rounded-md text-slate-500 hover:bg-slate-100 hover:text-slate-900 data-[state=open]:bg-slate-100"
      >
        {trigger}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align={align === "right" ? "end" : "start"}
          sideOffset={4}
          onCloseAutoFocus={() => {
            const run = chosen.current;
            chosen.current = null;
            run?.();
          }}
          className="z-40 min-w-40 rounded-lg border border-slate-200 bg-white py-1 shadow-lg"
        >
          {items.map((it) => (
            <DropdownMenu.Item
              key={it.label}
              disabled={it.disabled}
              onSelect={() => {
                chosen.current = it.onSelect;
              }}
              className={cn(
                "block w-full cursor-default px-3 py-1.5 text-left text-sm outline-none data-[disabled]:opacity-40",
                it.danger ? "text-red-600 data-[highlighted]:bg-red-50" : "text-slate-700 data-[highlighted]:bg-slate-50",
              )}
            >
              {it.label}
            </DropdownMenu.Item>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
