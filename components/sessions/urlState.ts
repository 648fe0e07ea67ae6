"use client";
import { useSearchParams } from "next/navigation";
import { useCallback } from "react";

/** Shareable view state in the query string; history.replaceState keeps Next's router in sync without a navigation. */
export function useQueryState() {
  const params = useSearchParams();
  const set = useCallback((patch: Record<string, string | null | undefined>) => {
    const p = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === undefined || v === "") p.delete(k);
      else p.set(k, v);
    }
    const s = p.toString();
    window.history.replaceState(null, "", `${window.location.pathname}${s ? `?${s}` : ""}`);
  }, []);
  return { params, set };
}

/** A server-sorted list's `sort` and `dir` params: a click on the current column flips the direction, on
 * another column sorts by it descending; defaults stay out of the URL. */
export function sortParam<K extends string>(params: Pick<URLSearchParams, "get">, set: (patch: Record<string, string | null>) => void, defaultKey: K) {
  const sort = (params.get("sort") as K | null) ?? defaultKey;
  const dir: "asc" | "desc" = params.get("dir") === "asc" ? "asc" : "desc";
  const toggle = (k: string) => {
    if (k === sort) set({ dir: dir === "desc" ? "asc" : null });
    else set({ sort: k === defaultKey ? null : k, dir: null });
  };
  return { sort: { id: sort, dir }, toggle };
}

export const sessionHref = (experimentId: string, sessionId: string) => `/experiments/${encodeURIComponent(experimentId)}/sessions/${encodeURIComponent(sessionId)}`;
export const userHref = (experimentId: string, userId: string) => `/experiments/${encodeURIComponent(experimentId)}/users/${encodeURIComponent(userId)}`;
export const traceHref = (experimentId: string, traceId: string) => `/experiments/${encodeURIComponent(experimentId)}/traces/${encodeURIComponent(traceId)}`;
