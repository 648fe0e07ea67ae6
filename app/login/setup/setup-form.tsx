"use client";
import { useState } from "react";
import { useHydrated } from "@/components/ui/hydrated";

export function SetupForm({ token }: { token: string }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    if (f.get("password") !== f.get("confirm")) return setError("Passwords do not match.");
    setBusy(true);
    const r = await fetch("/api/auth/setup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: f.get("token"), username: f.get("username"), password: f.get("password") }),
    });
    if (r.ok) return window.location.assign("/login");
    setBusy(false);
    setError(((await r.json().catch(() => ({}))) as { message?: string }).message ?? "Setup failed.");
  }

  const field = "mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:outline-none focus:ring-2 focus:ring-indigo-500";
  return (
    <form onSubmit={submit} className="mt-4 space-y-3">
      <label className="block text-sm">
        <span className="text-slate-700">Setup token (printed in the server log)</span>
        <input name="token" defaultValue={token} required className={field} />
      </label>
      <label className="block text-sm">
        <span className="text-slate-700">Username</span>
        <input name="username" autoComplete="username" required className={field} />
      </label>
      <label className="block text-sm">
        <span className="text-slate-700">Password (8 characters or more)</span>
        <input name="password" type="password" autoComplete="new-password" minLength={8} required className={field} />
      </label>
      <label className="block text-sm">
        <span className="text-slate-700">Repeat password</span>
        <input name="confirm" type="password" autoComplete="new-password" minLength={8} required className={field} />
      </label>
      {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
      <button type="submit" disabled={busy || !hydrated} className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        Create admin
      </button>
    </form>
  );
}
