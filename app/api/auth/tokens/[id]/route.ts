// Revoke one of the caller's tokens (admins: anyone's).
import { invalidParameter } from "@/lib/errors";
import { INT64_MAX } from "@/lib/input-limits";
import { authRoute, json, requirePrincipal } from "@/lib/auth/route";
import { revokeToken } from "@/lib/auth/tokens";

export const dynamic = "force-dynamic";

export const DELETE = authRoute<{ id: string }>({ kind: "authenticated" }, async ({ params, principal }) => {
  const p = requirePrincipal(principal);
  if (!/^\d{1,19}$/.test(params.id) || BigInt(params.id) > INT64_MAX) throw invalidParameter(`Invalid token id '${params.id}'`);
  await revokeToken(BigInt(params.id), p.isAdmin ? null : p.userId, p.username);
  return json({});
});
