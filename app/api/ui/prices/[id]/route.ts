// One price override: read (everyone signed in), edit or delete (admins, with --auth).
import { authRoute, json, readJson } from "@/lib/auth/route";
import { deletePriceOverrideBy, getPriceOverrideView, updatePriceOverrideFrom } from "@/lib/store/prices-api";

export const dynamic = "force-dynamic";

type P = { id: string };

export const GET = authRoute<P>({ kind: "authenticated" }, async ({ params }) => json({ override: await getPriceOverrideView(params.id) }));

export const PUT = authRoute<P>({ kind: "admin" }, async ({ req, params, actor }) => json({ override: await updatePriceOverrideFrom(params.id, await readJson(req), actor) }));

export const DELETE = authRoute<P>({ kind: "admin" }, async ({ params, actor }) => {
  await deletePriceOverrideBy(params.id, actor);
  return json({});
});
