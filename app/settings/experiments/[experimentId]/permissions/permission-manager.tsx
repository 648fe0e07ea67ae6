"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useHydrated } from "@/components/ui/hydrated";
import type { ExperimentPermissionView } from "@/lib/auth/permissions";
import { apiFetch } from "@/components/api";

const LEVELS = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"] as const;
const BASE = "/api/2.0/mlflow/experiments/permissions";

export function PermissionManager({ experimentId, initial }: { experimentId: string; initial: ExperimentPermissionView[] }) {
  const router = useRouter();
  const [grants, setGrants] = useState(initial);
  const [error, setError] = useState<string>();
  const hydrated = useHydrated();

  async function act(fn: () => Promise<void>) {
    setError(undefined);
    try {
      await fn();
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  function set(username: string, permission: string) {
    return act(async () => {
      const exists = grants.some((g) => g.username === username);
      await apiFetch(`${BASE}/${exists ? "update" : "create"}`, { method: exists ? "PATCH" : "POST", body: { experiment_id: experimentId, username, permission } });
      setGrants((all) =>
        exists
          ? all.map((g) => (g.username === username ? { ...g, permission: permission as ExperimentPermissionView["permission"] } : g))
          : [...all, { experiment_id: experimentId, user_id: "", username, permission: permission as ExperimentPermissionView["permission"] }],
      );
    });
  }

  function remove(username: string) {
    return act(async () => {
      await apiFetch(`${BASE}/delete`, { method: "DELETE", body: { experiment_id: experimentId, username } });
      setGrants((all) => all.filter((g) => g.username !== username));
    });
  }

  async function add(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    await set(String(f.get("username")), String(f.get("permission")));
    form.reset();
  }

  return (
    <div className="space-y-4">
      <table className="w-full text-sm border border-slate-200 bg-white">
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            <th className="px-3 py-2 font-medium">User</th>
            <th className="px-3 py-2 font-medium">Permission</th>
            <th className="px-3 py-2" aria-label="Actions" />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {grants.length === 0 && (
            <tr>
              <td colSpan={3} className="px-3 py-6 text-center text-slate-500">No explicit grants: everyone has the default permission.</td>
            </tr>
          )}
          {grants.map((g) => (
            <tr key={g.username} data-username={g.username}>
              <td className="px-3 py-2 font-medium">{g.username}</td>
              <td className="px-3 py-2">
                <select aria-label={`Permission of ${g.username}`} value={g.permission} onChange={(e) => set(g.username, e.target.value)} className="rounded-md border border-slate-300 px-2 py-1 text-sm">
                  {LEVELS.map((l) => (
                    <option key={l} value={l}>{l}</option>
                  ))}
                </select>
              </td>
              <td className="px-3 py-2 text-right">
                <button type="button" className="text-red-600 hover:underline" onClick={() => remove(g.username)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={add} className="flex gap-2 items-end" aria-label="Grant permission">
        <label className="text-sm">
          <span className="block text-slate-700">Username</span>
          <input name="username" required className="mt-1 rounded-md border border-slate-300 px-3 py-1.5 text-sm" autoComplete="off" />
        </label>
        <label className="text-sm">
          <span className="block text-slate-700">Permission</span>
          <select name="permission" defaultValue="READ" className="mt-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm">
            {LEVELS.map((l) => (
              <option key={l} value={l}>{l}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!hydrated} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
          Grant
        </button>
      </form>
      {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
    </div>
  );
}
