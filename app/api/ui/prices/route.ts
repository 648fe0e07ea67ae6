// Price overrides (/settings/prices): everyone signed in reads, admins change (with --auth).
import { authRoute, json, readJson } from "@/lib/auth/route";
import { createPriceOverrideFrom, listPriceOverrideViews } from "@/lib/store/prices-api";

export const dynamic = "force-dynamic";

export const GET = authRoute({ kind: "authenticated" }, async () => json({ overrides: await listPriceOverrideViews() }));

export const POST = authRoute({ kind: "admin" }, async ({ req, actor }) => json({ override: await createPriceOverrideFrom(await readJson(req), actor) }, 201));
