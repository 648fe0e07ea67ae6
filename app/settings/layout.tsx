// Settings area: the caller's tokens, and for admins the accounts. Requires a signed-in user with --auth.
import Link from "next/link";
import { authEnabled } from "@/lib/auth/guard";
import { authorizePage } from "@/lib/auth/page";
import { SignOutButton } from "./sign-out-button";

export const dynamic = "force-dynamic";

export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  if (!authEnabled()) {
    return (
      <div className="mx-auto max-w-4xl p-6">
        <h1 className="text-xl font-semibold mb-2">Settings</h1>
        <p className="text-sm text-slate-600">
          This server runs without accounts. Start it with <code className="rounded bg-slate-100 px-1">--auth</code> to manage users, access tokens and
          per-experiment permissions. <Link href="/settings/prices" className="text-indigo-700 hover:underline">Prices</Link> apply either way.
        </p>
        <div className="mt-6">{children}</div>
      </div>
    );
  }
  const me = await authorizePage({ kind: "authenticated" }, "/settings/tokens");
  return (
    <div className="mx-auto max-w-5xl p-6">
      <div className="flex items-center justify-between mb-6">
        <nav className="flex gap-4 text-sm" aria-label="Settings">
          <Link href="/settings/tokens" className="text-slate-700 hover:text-slate-900">Access tokens</Link>
          {me?.isAdmin && <Link href="/settings/users" className="text-slate-700 hover:text-slate-900">Users</Link>}
          <Link href="/settings/prices" className="text-slate-700 hover:text-slate-900">Prices</Link>
        </nav>
        <div className="flex items-center gap-3 text-sm text-slate-600">
          <span>
            Signed in as <strong className="text-slate-900">{me?.username}</strong>
            {me?.isAdmin ? " (admin)" : ""}
          </span>
          <SignOutButton />
        </div>
      </div>
      {children}
    </div>
  );
}
