// The /api/ui/prices endpoints' logic (issue #16): validated input, the audit entry in the change's
// transaction, and a price lookup that says which entry matched. Reading is open to every signed-in user;
// changes are for admins when the server runs with --auth (the routes say so).
import { z } from "zod";
import { audit } from "../auth/audit";
import { priceOverrideEntry, toPriceOverride } from "../cost/overrides";
import { priceBook } from "../cost/spanCost";
import { ApiError } from "../errors";
import { zodToApiError } from "../mlflow/params";
import { createPriceOverride, deletePriceOverride, listPriceOverrides, refreshStoredPrices, updatePriceOverride, type StoredPriceOverride } from "./prices";

export interface PriceOverrideView {
  id: string;
  model: string;
  provider: string | null;
  input_per_mtok: number;
  output_per_mtok: number;
  cache_read_per_mtok: number | null;
  cache_write_per_mtok: number | null;
  updated_by: string | null;
  updated_at: number;
}

export function priceOverrideView(o: StoredPriceOverride): PriceOverrideView {
  return {
    id: o.id,
    model: o.model,
    provider: o.provider,
    input_per_mtok: o.rates.inputPerMTok,
    output_per_mtok: o.rates.outputPerMTok,
    cache_read_per_mtok: o.rates.cacheReadPerMTok ?? null,
    cache_write_per_mtok: o.rates.cacheWritePerMTok ?? null,
    updated_by: o.updatedBy,
    updated_at: o.updatedAt,
  };
}

function parse(body: unknown) {
  const r = priceOverrideEntry.safeParse(body);
  if (!r.success) throw zodToApiError(r.error, body);
  return toPriceOverride(r.data);
}

const idOf = (id: string) => {
  if (!/^[1-9][0-9]{0,17}$/.test(id)) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `No price override ${id}`, 404);
  return id;
};

export async function listPriceOverrideViews(): Promise<PriceOverrideView[]> {
  return (await listPriceOverrides()).map(priceOverrideView);
}

export async function createPriceOverrideFrom(body: unknown, actor: string | null): Promise<PriceOverrideView> {
  const input = parse(body);
  const o = await createPriceOverride(input, actor, (tx, o) => audit(actor, "price.create", o.model, { ...priceOverrideView(o) }, tx));
  return priceOverrideView(o);
}

export async function getPriceOverrideView(id: string): Promise<PriceOverrideView> {
  const want = idOf(id);
  const o = (await listPriceOverrides()).find((x) => x.id === want);
  if (!o) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `No price override ${id}`, 404);
  return priceOverrideView(o);
}

export async function updatePriceOverrideFrom(id: string, body: unknown, actor: string | null): Promise<PriceOverrideView> {
  const input = parse(body);
  const o = await updatePriceOverride(idOf(id), input, actor, (tx, o) => audit(actor, "price.update", o.model, { ...priceOverrideView(o) }, tx));
  if (!o) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `No price override ${id}`, 404);
  return priceOverrideView(o);
}

export async function deletePriceOverrideBy(id: string, actor: string | null): Promise<void> {
  const done = await deletePriceOverride(idOf(id), (tx) => audit(actor, "price.delete", id, {}, tx));
  if (!done) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `No price override ${id}`, 404);
}

const lookupQuery = z.object({ model: z.string().trim().min(1).max(200), provider: z.string().trim().max(100).optional() });

export interface PriceLookup {
  model: string;
  provider: string | null;
  /** null when no entry knows the model */
  match: { source: string; entry: string; input_per_mtok: number; output_per_mtok: number } | null;
}

/** What the current prices (stored, configured, table) say for a model: the entry that matched and its $/MTok. */
export async function lookupPrice(params: URLSearchParams): Promise<PriceLookup> {
  const q = { model: params.get("model") ?? undefined, provider: params.get("provider") || undefined };
  const r = lookupQuery.safeParse(q);
  if (!r.success) throw zodToApiError(r.error, q);
  await refreshStoredPrices(); // another instance's edit of a moment ago counts
  // a million tokens each way gives the per-MTok prices; tiered prices answer for that volume
  const c = priceBook().cost(r.data.model, r.data.provider, { input: 1_000_000, output: 1_000_000 });
  return {
    model: r.data.model,
    provider: r.data.provider ?? null,
    match: c && { source: c.source, entry: c.priced, input_per_mtok: c.inputCost, output_per_mtok: c.outputCost },
  };
}
