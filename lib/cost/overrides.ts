// Users' own prices (issue #16): a JSON file named by --prices / FLOWTRACE_PRICES_FILE, or the JSON text
// itself in FLOWTRACE_PRICES. A list of entries, each a model (a trailing `*` matches a prefix), an
// optional provider and prices in US dollars per million tokens:
//   [{ "model": "my-finetune-*", "input_per_mtok": 3, "output_per_mtok": 6, "cache_read_per_mtok": 0.3 }]
// Earlier entries win. A malformed file stops the server at start with the entry and field at fault,
// rather than pricing traces wrongly for months.
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { PriceOverride } from "./prices";

const price = z.number().finite().nonnegative();
/** One entry, as in the file and in the /api/ui/prices bodies. */
export const priceOverrideEntry = z
  .object({
    model: z.string().trim().min(1).max(200),
    provider: z.string().trim().min(1).max(100).optional(),
    input_per_mtok: price,
    output_per_mtok: price,
    cache_read_per_mtok: price.optional(),
    cache_write_per_mtok: price.optional(),
  })
  .strict();
const file = z.array(priceOverrideEntry).max(10_000);

export class PriceFileError extends Error {}

/** Parses price overrides from JSON text; `origin` names the file or variable in error messages. */
export function parsePriceOverrides(text: string, origin: string): PriceOverride[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PriceFileError(`${origin}: not JSON (${(e as Error).message})`);
  }
  const r = file.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new PriceFileError(`${origin}: ${i.path.length ? `at ${i.path.join(".")}: ` : ""}${i.message}`);
  }
  return r.data.map(toPriceOverride);
}

export function toPriceOverride(e: z.infer<typeof priceOverrideEntry>): PriceOverride {
  return {
    model: e.model,
    provider: e.provider,
    rates: { inputPerMTok: e.input_per_mtok, outputPerMTok: e.output_per_mtok, cacheReadPerMTok: e.cache_read_per_mtok, cacheWritePerMTok: e.cache_write_per_mtok },
  };
}

/** The overrides the environment names: FLOWTRACE_PRICES (JSON text) before FLOWTRACE_PRICES_FILE (a path). */
export function priceOverridesFromEnv(env: Record<string, string | undefined> = process.env): PriceOverride[] {
  const out: PriceOverride[] = [];
  if (env.FLOWTRACE_PRICES?.trim()) out.push(...parsePriceOverrides(env.FLOWTRACE_PRICES, "FLOWTRACE_PRICES"));
  const path = env.FLOWTRACE_PRICES_FILE?.trim();
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new PriceFileError(`FLOWTRACE_PRICES_FILE: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    out.push(...parsePriceOverrides(text, path));
  }
  return out;
}
