// The worker side of lib/tracing/otlp-workers.ts: runs decodeOtlpGroups (decompress, decode, route,
// derive, serialize rows) on request and posts back the plain-data result or the error.
import { parentPort } from "node:worker_threads";
import { setPriceOverrides } from "../cost/spanCost";
import type { PriceOverride } from "../cost/prices";
import { ApiError } from "../errors";
import { decodeOtlpGroups, type DecodeInput } from "./otlp-groups";

parentPort?.on("message", async (m: { id: number; input: DecodeInput } | { prices: PriceOverride[] }) => {
  if ("prices" in m) return setPriceOverrides(m.prices);
  try {
    const result = await decodeOtlpGroups(m.input);
    parentPort!.postMessage({ id: m.id, result });
  } catch (err) {
    const e = err as Error;
    const error = err instanceof ApiError ? { api: true, code: err.code, message: err.message, status: err.status } : { api: false, name: e?.name, message: e?.message ?? String(err) };
    parentPort!.postMessage({ id: m.id, error });
  }
});
