// Links between the sessions pages, and the sort params of their lists.
import type { UrlStateSetter } from "@/components/useUrlState";

/** A server-sorted list's `sort` and `dir` params: a click on the current column flips the direction, on
 * another column sorts by it descending; defaults stay out of the URL. */
export function sortParam<K extends string>(params: Pick<URLSearchParams, "get">, set: UrlStateSetter, defaultKey: K) {
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
