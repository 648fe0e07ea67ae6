// Cost at ingest (issue #16): the derive step (lib/tracing/derive.ts) asks spanCost for every span that
// carries a model and token usage but no cost of its own. One process-wide PriceBook prices them; it is
// replaced (not mutated) when the overrides change, so a lookup never sees half an update.
//
// The computed cost is written as mlflow.llm.cost, the key MLflow's clients send, so the trace, session and
// user rollups need nothing new; COST_SOURCE_ATTR marks it as ours (the price table version, or "override"),
// which is what lets a re-price touch computed costs and never a client's.
import { num } from "../conventions/attrs";
import { priceOverridesFromEnv } from "./overrides";
import { PriceBook, type Cost, type PriceOverride, type TokenCounts } from "./prices";

export const COST_SOURCE_ATTR = "flowtrace.cost.source";

/** mlflow.llm.cost as MLflow's clients write it (US dollars). */
export interface SpanCostValue {
  input_cost: number;
  output_cost: number;
  total_cost: number;
}

let book: PriceBook | null = null;

/** The process-wide PriceBook: the environment's overrides (FLOWTRACE_PRICES / _FILE) over the table, until setPriceOverrides. */
export function priceBook(): PriceBook {
  return (book ??= new PriceBook(priceOverridesFromEnv()));
}

/** Replaces the overrides every later span is priced with (earlier entries win). */
export function setPriceOverrides(overrides: readonly PriceOverride[]): void {
  book = new PriceBook(overrides);
}

/**
 * The cost of a call from its model, provider and mlflow.chat.tokenUsage object, or null when the usage
 * has no input and output counts or no price knows the model (an unknown cost is absent, never 0).
 */
export function spanCost(model: string, provider: string | undefined, usage: unknown): Cost | null {
  if (!usage || typeof usage !== "object") return null;
  const u = usage as Record<string, unknown>;
  const input = num(u.input_tokens);
  const output = num(u.output_tokens);
  if (input === undefined || output === undefined) return null;
  // one scratch object for every call (PriceBook.cost does not keep it): ingest prices tens of thousands
  // of spans a second and should allocate only the cost it stores
  counts.input = input;
  counts.output = output;
  counts.cacheRead = num(u.cache_read_input_tokens);
  counts.cacheWrite = num(u.cache_creation_input_tokens);
  return priceBook().cost(model, provider, counts);
}

const counts: TokenCounts = { input: 0, output: 0 };

export function costValue(c: Cost): SpanCostValue {
  return { input_cost: c.inputCost, output_cost: c.outputCost, total_cost: c.totalCost };
}
