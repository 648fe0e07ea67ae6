"use client";
import { useSearchParams } from "next/navigation";
import { useCallback } from "react";

/**
 * URL query state without a server round trip (the traces, sessions and users lists): Next syncs native history.pushState/replaceState into
 * useSearchParams, so filters, paging and the open trace are shareable URLs while react-query does the
 * fetching.
 */
export type UrlStateSetter = (patch: Record<string, string | null | undefined>, mode?: "push" | "replace") => void;

export function useUrlState() {
  const sp = useSearchParams();
  const set = useCallback<UrlStateSetter>((patch, mode = "replace") => {
    const p = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === undefined || v === "") p.delete(k);
      else p.set(k, v);
    }
    const s = p.toString();
    const url = `${window.location.pathname}${s ? `?${s}` : ""}`;
    if (mode === "push") window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }, []);
  return { params: sp, set };
}
