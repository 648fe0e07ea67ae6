"use client";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { useHydrated } from "@/components/ui/hydrated";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong username or password.",
  TooManyAttempts: "Too many failed attempts. Try again in a few minutes.",
  AccessDenied: "This account may not sign in.",
};

export function LoginForm({ callbackUrl, oidc, initialError }: { callbackUrl: string; oidc?: string; initialError?: string }) {
  const [error, setError] = useState<string | undefined>(initialError ? (MESSAGES[initialError] ?? "Sign-in failed.") : undefined);
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(undefined);
    const r = await signIn("credentials", { username: String(form.get("username") ?? ""), password: String(form.get("password") ?? ""), redirect: false, callbackUrl });
    if (r?.ok && !r.error) {
      window.location.assign(callbackUrl);
      return;
    }
    setBusy(false);
    setError(MESSAGES[r?.error ?? ""] ?? "Sign-in failed.");
  }

  return (
    <div className="mt-4 space-y-4">
      <form onSubmit={submit} className="space-y-3" aria-label="Sign in">
        <label className="block text-sm">
          <span className="text-slate-700">Username</span>
          <input name="username" autoComplete="username" required autoFocus className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:outline-none focus:ring-2 focus:ring-indigo-500" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Password</span>
          <input name="password" type="password" autoComplete="current-password" required className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:outline-none focus:ring-2 focus:ring-indigo-500" />
        </label>
        {error && (
          <p role="alert" className="text-sm text-red-600">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !hydrated} className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {oidc && (
        <button type="button" onClick={() => signIn("oidc", { callbackUrl })} className="w-full rounded-md border border-slate-300 px-3 py-2 text-sm hover:bg-slate-50">
          Continue with {oidc}
        </button>
      )}
    </div>
  );
}
