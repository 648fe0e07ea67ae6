// Users' own prices stored in the database (issue #16): the rows behind /settings/prices. Every change bumps
// server_settings "price_overrides_version" in its transaction; each process compares that one row with the
// version it prices with (at most once a second, from the ingest path: lib/cost/spanCost.ts) and reloads
// the list when it moved, so every instance sharing the database prices with the new entries within ~1 s.
import { isMainThread } from "node:worker_threads";
import { getPool, prisma } from "../db";
import { setPriceRefresh, setStoredPriceOverrides, storedPriceVersion } from "../cost/spanCost";
import type { PriceOverride, PriceRates } from "../cost/prices";

export const PRICE_VERSION_KEY = "price_overrides_version";

export interface StoredPriceOverride {
  id: string;
  model: string;
  provider: string | null;
  rates: PriceRates;
  updatedBy: string | null;
  updatedAt: number;
}

export interface PriceOverrideInput {
  model: string;
  provider?: string | null;
  rates: PriceRates;
}

type Row = {
  id: bigint;
  model: string;
  provider: string | null;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok: number | null;
  cacheWritePerMTok: number | null;
  updatedBy: string | null;
  updatedAt: bigint;
};

function fromRow(r: Row): StoredPriceOverride {
  return {
    id: r.id.toString(),
    model: r.model,
    provider: r.provider,
    rates: { inputPerMTok: r.inputPerMTok, outputPerMTok: r.outputPerMTok, cacheReadPerMTok: r.cacheReadPerMTok ?? undefined, cacheWritePerMTok: r.cacheWritePerMTok ?? undefined },
    updatedBy: r.updatedBy,
    updatedAt: Number(r.updatedAt),
  };
}

// PriceBook takes the first entry that matches: an exact name before any prefix, a longer prefix before a
// shorter one, a provider-specific entry before one for any provider; then the older entry
function precedence(a: StoredPriceOverride, b: StoredPriceOverride): number {
  const wild = (o: StoredPriceOverride) => (o.model.endsWith("*") ? 1 : 0);
  return wild(a) - wild(b) || b.model.length - a.model.length || (a.provider ? 0 : 1) - (b.provider ? 0 : 1) || Number(BigInt(a.id) - BigInt(b.id));
}

/** The stored overrides in the order they are applied. */
export async function listPriceOverrides(): Promise<StoredPriceOverride[]> {
  const rows = await prisma.priceOverride.findMany();
  return rows.map(fromRow).sort(precedence);
}

function data(input: PriceOverrideInput, actor: string | null) {
  return {
    model: input.model.trim(),
    provider: input.provider?.trim() || null,
    inputPerMTok: input.rates.inputPerMTok,
    outputPerMTok: input.rates.outputPerMTok,
    cacheReadPerMTok: input.rates.cacheReadPerMTok ?? null,
    cacheWritePerMTok: input.rates.cacheWritePerMTok ?? null,
    updatedBy: actor,
    updatedAt: BigInt(Date.now()),
  };
}

type Tx = Parameters<Parameters<typeof prisma.$transaction>[0]>[0];

async function bump(tx: Tx): Promise<void> {
  await tx.$executeRaw`INSERT INTO server_settings (key, value) VALUES (${PRICE_VERSION_KEY}, '1')
    ON CONFLICT (key) DO UPDATE SET value = (server_settings.value::bigint + 1)::text`;
}

// after an edit here, this process prices with it before answering; other processes within a second
async function changed(): Promise<void> {
  // a check already in flight may have read the stamp before this commit
  if (loading) await loading.catch(() => {});
  await refreshStoredPrices();
}

/** Adds an override; `then` runs in the same transaction (the audit entry). */
export async function createPriceOverride(input: PriceOverrideInput, actor: string | null, then?: (tx: Tx, o: StoredPriceOverride) => Promise<void>): Promise<StoredPriceOverride> {
  const o = await prisma.$transaction(async (tx) => {
    const o = fromRow(await tx.priceOverride.create({ data: data(input, actor) }));
    await bump(tx);
    await then?.(tx, o);
    return o;
  });
  await changed();
  return o;
}

/** Replaces an override's fields; null when there is no such override. */
export async function updatePriceOverride(id: string, input: PriceOverrideInput, actor: string | null, then?: (tx: Tx, o: StoredPriceOverride) => Promise<void>): Promise<StoredPriceOverride | null> {
  const o = await prisma.$transaction(async (tx) => {
    const n = await tx.priceOverride.updateMany({ where: { id: BigInt(id) }, data: data(input, actor) });
    if (n.count === 0) return null;
    const o = fromRow((await tx.priceOverride.findUnique({ where: { id: BigInt(id) } }))!);
    await bump(tx);
    await then?.(tx, o);
    return o;
  });
  await changed();
  return o;
}

/** Deletes an override; false when there was none. */
export async function deletePriceOverride(id: string, then?: (tx: Tx) => Promise<void>): Promise<boolean> {
  const done = await prisma.$transaction(async (tx) => {
    const n = await tx.priceOverride.deleteMany({ where: { id: BigInt(id) } });
    if (n.count === 0) return false;
    await bump(tx);
    await then?.(tx);
    return true;
  });
  await changed();
  return done;
}

function asOverride(o: StoredPriceOverride): PriceOverride {
  return { model: o.model, provider: o.provider ?? undefined, rates: o.rates };
}

let loading: Promise<void> | null = null;

/**
 * Reads the version stamp and, when it differs from the one this process prices with, the overrides. One
 * at a time: a check that starts while one runs shares it.
 */
export function refreshStoredPrices(): Promise<void> {
  return (loading ??= (async () => {
    const r = await getPool().query<{ value: string }>("SELECT value FROM server_settings WHERE key = $1", [PRICE_VERSION_KEY]);
    const version = Number(r.rows[0]?.value ?? 0);
    if (version === storedPriceVersion()) return;
    const list = await listPriceOverrides();
    setStoredPriceOverrides(version, list.map(asOverride));
  })().finally(() => {
    loading = null;
  }));
}

/**
 * Prices this process's spans with the stored overrides from now on (checked at most once a second from the
 * ingest path). OTLP worker threads do not query: the main thread hands them its overrides
 * (lib/tracing/otlp-workers.ts).
 */
export function watchStoredPrices(): void {
  if (isMainThread) setPriceRefresh(refreshStoredPrices, true);
}
