"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ExperimentPermissionView } from "@/lib/auth/permissions";
import { apiFetch } from "@/components/api";
import { SettingsTable } from "@/app/settings/settings-table";
import { SubmitButton } from "@/app/settings/submit-button";

const LEVELS = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"] as const;
const BASE = "/api/2.0/mlflow/experiments/permissions";

export function PermissionManager({ experimentId, initial }: { experimentId: string; initial: ExperimentPermissionView[] }) {
  const router = useRouter();
  const [grants, setGrants] = useState(initial);
  const [error, setError] = useState<string>();

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
      <SettingsTable columns={["User", "Permission"]} empty={grants.length === 0 && "No explicit grants: everyone has the default permission."}>
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
      </SettingsTable>
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
        <SubmitButton>Grant</SubmitButton>
      </form>
      {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
    </div>
  );
}
