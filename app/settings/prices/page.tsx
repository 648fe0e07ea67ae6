// Price overrides (issue #16): users' own $/MTok per model, over the FLOWTRACE_PRICES / --prices entries and
// the price table. Everyone may read; admins change them when the server runs with --auth.
import type { Metadata } from "next";
import { authEnabled } from "@/lib/auth/guard";
import { authorizePage } from "@/lib/auth/page";
import { PRICE_TABLE } from "@/lib/cost/prices";
import { listPriceOverrideViews } from "@/lib/store/prices-api";
import { PriceManager } from "./price-manager";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Prices" };

export default async function PricesPage() {
  const me = authEnabled() ? await authorizePage({ kind: "authenticated" }, "/settings/prices") : null;
  return (
    <section>
      <h1 className="text-xl font-semibold">Prices</h1>
      <p className="mt-1 mb-4 text-sm text-slate-600">
        Spans are priced at ingest from these entries first (an exact model name before a <code className="rounded bg-slate-100 px-1">prefix*</code>), then
        from <code className="rounded bg-slate-100 px-1">FLOWTRACE_PRICES</code> / <code className="rounded bg-slate-100 px-1">--prices</code>, then from the
        price table ({PRICE_TABLE}). Prices are US dollars per million tokens. A cost sent by the client is never changed.
      </p>
      <PriceManager initial={await listPriceOverrideViews()} canEdit={!authEnabled() || !!me?.isAdmin} />
    </section>
  );
}
