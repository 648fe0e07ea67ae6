// First run: creates the first admin with the one-time token printed in the server log.
import { authRoute, json, readJson } from "@/lib/auth/route";
import { completeSetup, toUserView } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

export const POST = authRoute({ kind: "public" }, async ({ req }) => {
  const b = await readJson(req);
  const u = await completeSetup(String(b.token ?? ""), String(b.username ?? ""), String(b.password ?? ""));
  return json({ user: toUserView(u) }, 201);
});
