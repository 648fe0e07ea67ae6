// Admin: list and add accounts.
import { authRoute, json, readJson } from "@/lib/auth/route";
import { createUser, listUsers, toUserView } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

export const GET = authRoute({ kind: "admin" }, async () => json({ users: await listUsers() }));

export const POST = authRoute({ kind: "admin" }, async ({ req, actor }) => {
  const b = await readJson(req);
  const u = await createUser({ username: String(b.username ?? ""), password: String(b.password ?? ""), isAdmin: b.is_admin === true }, actor);
  return json({ user: toUserView(u) }, 201);
});
