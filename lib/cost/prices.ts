// What an LLM call cost, from the model, its provider and its token counts (issue #16). Prices come from
// @pydantic/genai-prices: a maintained, versioned table (Pydantic's genai-prices, ~1,400 models over 30
// providers, with cached-input and tiered prices) that ships its data in the package, so it works offline
// and a price is reproducible from the package version recorded with it. Users' own prices (overrides)
// win over the table; a cost the client sent wins over both (the caller decides that, see spanCost).
//
// calcPrice takes ~70 µs a call (it matches the model against every provider's patterns) and ~20 µs
// even when handed a single-model provider (measured, 100k calls). Ingest prices every LLM span, so the
// lookup is memoized per (provider, model) and plain per-token prices are applied here directly; tiered
// and date-conditional prices still go through calcPrice. prices.test.ts checks the direct path against
// calcPrice over many models and usages.
import { calcPrice, findProvider, type ModelInfo, type ModelPrice, type Provider } from "@pydantic/genai-prices";

/**
 * The price table's name and version, stored with every computed cost so a figure can be explained. The
 * package does not export its package.json; package.json pins the exact version and prices.test.ts
 * checks that this string names the installed one.
 */
export const PRICE_TABLE = "genai-prices@0.1.8";

export interface TokenCounts {
  /** all input tokens, cached ones included (OpenAI's prompt_tokens, GenAI semconv's input_tokens) */
  input: number;
  output: number;
  /** of `input`, read from the provider's prompt cache */
  cacheRead?: number;
  /** of `input`, written to the provider's prompt cache */
  cacheWrite?: number;
}

/** Prices in US dollars per million tokens. */
export interface PriceRates {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
}

export interface PriceOverride {
  /** the model name as clients send it; case-insensitive; a trailing `*` matches a prefix */
  model: string;
  /** only for this provider (as in gen_ai.provider.name / gen_ai.system); any provider when absent */
  provider?: string;
  rates: PriceRates;
}

export interface Cost {
  inputCost: number;
  outputCost: number;
  totalCost: number;
  /** where the price came from: the table (with its version), a user override, or the client */
  source: string;
  /** the price entry that matched (the table's model id, or the override's model pattern) */
  priced: string;
}

type Lookup =
  | { kind: "linear"; rates: PriceRates; id: string; source: string }
  | { kind: "table"; provider: Provider; id: string }
  | null;

// OpenTelemetry GenAI's gen_ai.system / gen_ai.provider.name values that the table names differently
const PROVIDER_ALIASES: Record<string, string> = {
  "az.ai.openai": "azure",
  "azure.ai.openai": "azure",
  "az.ai.inference": "azure",
  "azure.ai.inference": "azure",
  "aws.bedrock": "aws",
  "gcp.gemini": "google",
  "gcp.vertex_ai": "google",
  "gcp.gen_ai": "google",
  "x_ai": "x-ai",
  "mistral_ai": "mistral",
  "ibm.watsonx.ai": "ibm",
};

const TOKEN_PRICES = ["input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok"];

function linearRates(p: ModelPrice): PriceRates | null {
  // the four text-token prices as plain numbers: then the cost is linear in the counts we pass. Prices of
  // units we never report (web searches, audio, images) add nothing either way; a per-request fee or a
  // tiered price is left to calcPrice
  if (p.requests_kcount !== undefined) return null;
  if (!TOKEN_PRICES.every((k) => p[k] === undefined || typeof p[k] === "number")) return null;
  return {
    inputPerMTok: (p.input_mtok as number | undefined) ?? 0,
    outputPerMTok: (p.output_mtok as number | undefined) ?? 0,
    cacheReadPerMTok: p.cache_read_mtok as number | undefined,
    cacheWritePerMTok: p.cache_write_mtok as number | undefined,
  };
}

/** Cost of `t` at `r`: cached tokens are part of `input` and priced at their own rate when there is one. */
export function costAt(r: PriceRates, t: TokenCounts): { inputCost: number; outputCost: number } {
  const cacheRead = Math.min(t.cacheRead ?? 0, t.input);
  const cacheWrite = Math.min(t.cacheWrite ?? 0, t.input - cacheRead);
  const uncached = t.input - cacheRead - cacheWrite;
  const inputCost =
    (uncached * r.inputPerMTok + cacheRead * (r.cacheReadPerMTok ?? r.inputPerMTok) + cacheWrite * (r.cacheWritePerMTok ?? r.inputPerMTok)) / 1e6;
  return { inputCost, outputCost: (t.output * r.outputPerMTok) / 1e6 };
}

function matchesOverride(o: PriceOverride, model: string, provider: string | undefined): boolean {
  if (o.provider && (!provider || o.provider.toLowerCase() !== provider)) return false;
  const m = o.model.toLowerCase();
  return m.endsWith("*") ? model.startsWith(m.slice(0, -1)) : model === m;
}

/**
 * Prices LLM calls: user overrides first (in their order), then the table. Memoized per (provider,
 * model): make a new PriceBook when the overrides change.
 */
export class PriceBook {
  private readonly memo = new Map<string, Lookup>();
  constructor(private readonly overrides: readonly PriceOverride[] = []) {}

  private lookup(model: string, provider: string | undefined): Lookup {
    const key = `${provider ?? ""}\u0000${model}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    let found: Lookup = null;
    const override = this.overrides.find((o) => matchesOverride(o, model, provider));
    if (override) {
      found = { kind: "linear", rates: override.rates, id: override.model, source: "override" };
    } else {
      const providerId = provider ? (PROVIDER_ALIASES[provider] ?? provider) : undefined;
      const known = providerId ? findProvider({ providerId }) : undefined;
      // a provider the table does not know (a gateway, a self-hosted proxy) must not hide the model:
      // then the model name alone decides, as calcPrice does without a provider
      const r = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, known ? { provider: known } : {}) ?? (known ? calcPrice({ input_tokens: 0, output_tokens: 0 }, model) : null);
      if (r) {
        const rates = Array.isArray(r.model.prices) ? null : linearRates(r.model.prices as ModelPrice);
        const one: Provider = { id: r.provider.id, name: r.provider.name, api_pattern: r.provider.api_pattern, models: [r.model as ModelInfo] };
        found = rates ? { kind: "linear", rates, id: `${r.provider.id}/${r.model.id}`, source: PRICE_TABLE } : { kind: "table", provider: one, id: `${r.provider.id}/${r.model.id}` };
      }
    }
    if (this.memo.size > 10_000) this.memo.clear(); // model names are client input: bound the memo
    this.memo.set(key, found);
    return found;
  }

  /** The cost of one call, or null when neither the overrides nor the table know the model. */
  cost(model: string, provider: string | undefined, tokens: TokenCounts, at?: Date): Cost | null {
    const m = model.trim().toLowerCase();
    if (!m) return null;
    const found = this.lookup(m, provider?.trim().toLowerCase() || undefined);
    if (!found) return null;
    if (found.kind === "linear") {
      const { inputCost, outputCost } = costAt(found.rates, tokens);
      return { inputCost, outputCost, totalCost: inputCost + outputCost, source: found.source, priced: found.id };
    }
    const r = calcPrice(
      { input_tokens: tokens.input, output_tokens: tokens.output, cache_read_tokens: tokens.cacheRead, cache_write_tokens: tokens.cacheWrite },
      m,
      { provider: found.provider, timestamp: at },
    );
    if (!r) return null;
    return { inputCost: r.input_price, outputCost: r.output_price, totalCost: r.total_price, source: PRICE_TABLE, priced: found.id };
  }
}
