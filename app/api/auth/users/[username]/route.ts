// Admin: disable/enable an account, grant/revoke admin, reset its password.
import { authRoute, json, readJson } from "@/lib/auth/route";
import { invalidParameter } from "@/lib/errors";
import { requireUserByName, setPassword, toUserView, updateUser } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

export const PATCH = authRoute<{ username: string }>({ kind: "admin" }, async ({ req, params, actor }) => {
  let username: string;
  try {
    username = decodeURIComponent(params.username);
  } catch {
    throw invalidParameter("The user name in the path is not valid percent-encoded UTF-8.");
  }
  const b = await readJson(req);
  const change: { isAdmin?: boolean; disabled?: boolean } = {};
  if (b.is_admin !== undefined) change.isAdmin = b.is_admin === true;
  if (b.disabled !== undefined) change.disabled = b.disabled === true;
  if (b.password !== undefined) {
    if (typeof b.password !== "string") throw invalidParameter("password must be a string");
    await setPassword(username, b.password, actor);
  }
  if (Object.keys(change).length) await updateUser(username, change, actor);
  return json({ user: toUserView(await requireUserByName(username)) });
});
