// The header's account corner with --auth: who is signed in, a way to the settings (tokens, users).
import Link from "next/link";
import { headers } from "next/headers";
import { authEnabled } from "@/lib/auth/guard";
import { getPrincipal } from "@/lib/auth/session";

export async function UserMenu() {
  if (!authEnabled()) return null;
  const me = await getPrincipal({ headers: await headers() });
  if (!me) {
    return (
      <Link href="/login" className="ml-auto text-[13px] text-slate-300 hover:text-white">
        Sign in
      </Link>
    );
  }
  return (
    <Link href="/settings/tokens" className="ml-auto flex items-center gap-2 text-[13px] text-slate-300 hover:text-white" title="Access tokens, users, sign out">
      <span aria-hidden className="flex h-5 w-5 items-center justify-center rounded-full bg-slate-700 text-[11px] font-semibold uppercase text-white">
        {me.username.slice(0, 1)}
      </span>
      {me.username}
    </Link>
  );
}
