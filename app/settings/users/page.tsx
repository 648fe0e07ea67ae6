// Admin: accounts. Add users, disable/enable them, grant admin, reset passwords.
import type { Metadata } from "next";
import { authEnabled } from "@/lib/auth/guard";
import { authorizePage } from "@/lib/auth/page";
import { listUsers } from "@/lib/auth/users";
import { UserManager } from "./user-manager";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  if (!authEnabled()) return null;
  const me = await authorizePage({ kind: "admin" }, "/settings/users");
  return (
    <section>
      <h1 className="text-xl font-semibold">Users</h1>
      <p className="mt-1 mb-4 text-sm text-slate-600">
        Users sign in to the UI and authenticate MLflow clients with <code className="rounded bg-slate-100 px-1">MLFLOW_TRACKING_USERNAME</code> /{" "}
        <code className="rounded bg-slate-100 px-1">MLFLOW_TRACKING_PASSWORD</code> or a personal access token. Without an explicit grant a user has the
        default permission <strong>{(process.env.FLOWTRACE_DEFAULT_PERMISSION ?? "READ").toUpperCase()}</strong> on every experiment.
      </p>
      <UserManager initial={await listUsers()} me={me?.username ?? ""} />
    </section>
  );
}
