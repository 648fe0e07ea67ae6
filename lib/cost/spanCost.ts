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

// Kept on globalThis: the server (lib/server/serve.ts) and Next's bundle of the routes load this module
// separately and must price with one book. Each OTLP worker thread has its own, pushed by the main thread
// (lib/tracing/otlp-workers.ts).
interface PriceState {
  book: PriceBook | null;
  /** the database's overrides (lib/store/prices.ts), first in the book */
  stored: readonly PriceOverride[];
  /** FLOWTRACE_PRICES / --prices, after the stored ones; read at first use */
  configured: readonly PriceOverride[] | null;
  /** the database's price_overrides_version the stored entries are from (-1: not read yet) */
  version: number;
  /** bumped on every change of the book, so that a worker is sent the overrides once per change */
  generation: number;
  checkedAt: number;
  refresh: (() => Promise<void>) | null;
}
const g = globalThis as unknown as { __flowtracePrices?: PriceState };
const state: PriceState = (g.__flowtracePrices ??= { book: null, stored: [], configured: null, version: -1, generation: 0, checkedAt: 0, refresh: null });

/** How often the ingest path looks for a change of the stored overrides (one single-row query at most). */
export const PRICE_CHECK_MS = 1000;

function rebuild(): PriceBook {
  state.configured ??= priceOverridesFromEnv();
  state.generation++;
  return (state.book = new PriceBook([...state.stored, ...state.configured]));
}

/**
 * The process-wide PriceBook: the database's overrides, then the environment's (FLOWTRACE_PRICES / _FILE),
 * then the table. Calling it starts a check of the stored overrides when the last one is older than
 * PRICE_CHECK_MS (in the background: this span is priced with the current book).
 */
export function priceBook(): PriceBook {
  if (state.refresh) {
    const now = Date.now();
    if (now - state.checkedAt >= PRICE_CHECK_MS) {
      state.checkedAt = now;
      state.refresh().catch(() => {
        // the database is away: keep pricing with the book we have and look again in a second
      });
    }
  }
  return state.book ?? rebuild();
}

/** Replaces the environment's overrides (tests, the OTLP worker threads); earlier entries win. */
export function setPriceOverrides(overrides: readonly PriceOverride[]): void {
  state.configured = overrides;
  rebuild();
}

/** Installs the database's overrides as of `version` (lib/store/prices.ts). */
export function setStoredPriceOverrides(version: number, overrides: readonly PriceOverride[]): void {
  state.version = version;
  state.stored = overrides;
  rebuild();
}

/** The stored overrides' version this thread prices with (-1 before the first read). */
export function storedPriceVersion(): number {
  return state.version;
}

/** What a worker thread needs to price like this one, and a number that changes whenever that does. */
export function priceOverridesSnapshot(): { generation: number; overrides: PriceOverride[] } {
  priceBook();
  return { generation: state.generation, overrides: [...state.stored, ...(state.configured ?? [])] };
}

/**
 * Makes priceBook look for changes with `check` (at most every PRICE_CHECK_MS); `immediately` forgets the
 * last check time so that the next span looks now (after an edit in this process).
 */
export function setPriceRefresh(check: (() => Promise<void>) | null, immediately = false): void {
  state.refresh = check;
  if (immediately) state.checkedAt = 0;
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
