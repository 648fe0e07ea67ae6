// What the current prices say for a model name, and which entry matched (/settings/prices).
import { authRoute, json } from "@/lib/auth/route";
import { lookupPrice } from "@/lib/store/prices-api";

export const dynamic = "force-dynamic";

export const GET = authRoute({ kind: "authenticated" }, async ({ req }) => json(await lookupPrice(new URL(req.url).searchParams)));
