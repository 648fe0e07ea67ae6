// Big OTLP bodies are decoded in a worker thread. A 512-span batch costs ~8 ms of CPU to decompress, decode,
// derive and turn into COPY rows (shared/limits.md; scripts in the benchmark); on the main thread that work
// capped ingestion at what one core can do while PostgreSQL waited. In a worker, the main thread only moves
// bytes: HTTP in, COPY out. Small bodies (the Python client's one span per request) stay on the main thread,
// where a hop to the worker would cost more than it saves.
//
// FLOWTRACE_OTLP_WORKERS: number of worker threads (default 1 on machines with up to 4 cores, else 2;
// 0 decodes everything on the main thread). Used by the node:http fast path (lib/http/otlp-node.ts).
import os from "node:os";
import { Worker } from "node:worker_threads";
import { priceOverridesSnapshot } from "../cost/spanCost";
import { ApiError } from "../errors";
import type { DecodedGroups, DecodeInput } from "./otlp-groups";

/** Bodies at least this big go to a worker. */
export const WORKER_MIN_BODY_BYTES = 64 * 1024;

interface Pending {
  resolve: (r: DecodedGroups) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** the price overrides' generation last sent (lib/cost/spanCost.ts) */
  prices: number;
}

const slots: (Slot | undefined)[] = [];
let nextId = 1;
let turn = 0;

export function otlpWorkerCount(): number {
  const v = Number(process.env.FLOWTRACE_OTLP_WORKERS);
  if (process.env.FLOWTRACE_OTLP_WORKERS !== undefined && Number.isInteger(v) && v >= 0) return v;
  return os.cpus().length <= 4 ? 1 : 2;
}

function startSlot(i: number): Slot {
  const worker = new Worker(new URL("./otlp-worker-entry.mjs", import.meta.url), {
    // the decoder allocates many short-lived objects: a young generation like the main thread's (bin/flowtrace.mjs)
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
  });
  worker.unref();
  const slot: Slot = { worker, pending: new Map(), prices: -1 };
  worker.on("message", (m: { id: number; result?: DecodedGroups; error?: { api: boolean; code?: string; name?: string; message: string; status?: number } }) => {
    const p = slot.pending.get(m.id);
    if (!p) return;
    slot.pending.delete(m.id);
    // a stack overflow keeps its class across the thread boundary: classifyInputError makes it a 400
    if (m.error) p.reject(m.error.api ? new ApiError(m.error.code!, m.error.message, m.error.status) : new (m.error.name === "RangeError" ? RangeError : Error)(`OTLP decoding failed in the worker: ${m.error.message}`));
    else p.resolve(m.result!);
  });
  const fail = (err: unknown) => {
    if (slots[i] === slot) slots[i] = undefined;
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`OTLP decoding worker exited with code ${code}`)));
  return slot;
}

/** Runs decodeOtlpGroups in a worker thread (round robin); the result is the same as in this thread. */
export function decodeInWorker(input: DecodeInput): Promise<DecodedGroups> {
  const n = otlpWorkerCount();
  const i = turn++ % n;
  const slot = (slots[i] ??= startSlot(i));
  const id = nextId++;
  // workers price spans but do not query: they get this thread's overrides (which it checks for changes
  // once a second) before the first batch after a change; messages arrive in order
  const prices = priceOverridesSnapshot();
  if (slot.prices !== prices.generation) {
    slot.prices = prices.generation;
    slot.worker.postMessage({ prices: prices.overrides });
  }
  return new Promise<DecodedGroups>((resolve, reject) => {
    slot.pending.set(id, { resolve, reject });
    slot.worker.postMessage({ id, input });
  });
}

/** Whether a request body should be decoded in a worker. */
export function useOtlpWorker(bodyBytes: number): boolean {
  return bodyBytes >= WORKER_MIN_BODY_BYTES && otlpWorkerCount() > 0;
}
