// The caller's personal access tokens: list (never the secret), create (the secret is in this one answer).
import { authRoute, json, readJson, requirePrincipal } from "@/lib/auth/route";
import { createToken, listTokens } from "@/lib/auth/tokens";

export const dynamic = "force-dynamic";

export const GET = authRoute({ kind: "authenticated" }, async ({ principal }) => {
  const p = requirePrincipal(principal);
  return json({ tokens: await listTokens(p.userId) });
});

export const POST = authRoute({ kind: "authenticated" }, async ({ req, principal }) => {
  const p = requirePrincipal(principal);
  const body = await readJson(req);
  const { token, view } = await createToken(p.userId, String(body.name ?? ""), p.username);
  return json({ token, ...view }, 201);
});
