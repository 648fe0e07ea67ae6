"use client";
import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button type="button" onClick={() => signOut({ callbackUrl: "/login" })} className="rounded-md border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-50">
      Sign out
    </button>
  );
}
