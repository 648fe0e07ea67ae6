// The span skeleton as the tree and timeline use it: spans ordered by (start time, span id), parents as
// indexes, times in ms from the earliest start. Built in the browser from the server's unordered arrays.
import type { RawSpanSkeleton } from "@/lib/store/trace-view";

export interface SpanSkeleton {
  traceId: string;
  ids: string[];
  /** index of the parent, -1 for roots and for spans whose parent never arrived */
  parents: number[];
  names: string[];
  types: (string | null)[];
  starts: number[];
  ends: (number | null)[];
  status: string[];
}

export function normalizeSkeleton(raw: RawSpanSkeleton): SpanSkeleton {
  const n = raw.ids.length;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => raw.starts[a] - raw.starts[b] || (raw.ids[a] < raw.ids[b] ? -1 : raw.ids[a] > raw.ids[b] ? 1 : 0));
  let t0 = Infinity;
  for (let i = 0; i < n; i++) if (raw.starts[i] < t0) t0 = raw.starts[i];
  if (!Number.isFinite(t0)) t0 = 0;
  const pos = new Map<string, number>();
  const ids = new Array<string>(n);
  const names = new Array<string>(n);
  const types = new Array<string | null>(n);
  const starts = new Array<number>(n);
  const ends = new Array<number | null>(n);
  const status = new Array<string>(n);
  for (let k = 0; k < n; k++) {
    const i = order[k];
    ids[k] = raw.ids[i];
    pos.set(raw.ids[i], k);
    names[k] = raw.names[i];
    types[k] = raw.types[i];
    starts[k] = raw.starts[i] - t0;
    const e = raw.ends[i];
    ends[k] = e === null ? null : e - t0;
    status[k] = raw.status[i];
  }
  const parents = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const p = raw.parentIds[order[k]];
    parents[k] = p ? (pos.get(p) ?? -1) : -1;
  }
  return { traceId: raw.traceId, ids, parents, names, types, starts, ends, status };
}
