"use client";
import { useHydrated } from "@/components/ui/hydrated";

/** The submit button of a settings form, disabled until hydrated: a click before then would post the form natively. */
export function SubmitButton({ children }: { children: React.ReactNode }) {
  const hydrated = useHydrated();
  return (
    <button type="submit" disabled={!hydrated} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
      {children}
    </button>
  );
}
