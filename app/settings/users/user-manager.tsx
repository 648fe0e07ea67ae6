"use client";
import { useState } from "react";
import type { UserView } from "@/lib/auth/users";
import { apiFetch } from "@/components/api";
import { formatUtcMinute } from "@/components/ui/format";
import { SettingsTable } from "@/app/settings/settings-table";
import { SubmitButton } from "@/app/settings/submit-button";

export function UserManager({ initial, me }: { initial: UserView[]; me: string }) {
  const [users, setUsers] = useState(initial);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const replace = (u: UserView) => setUsers((all) => all.map((x) => (x.username === u.username ? u : x)));

  async function act(fn: () => Promise<void>) {
    setError(undefined);
    setNotice(undefined);
    try {
      await fn();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function add(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    await act(async () => {
      const r = await apiFetch<{ user: UserView }>("/api/auth/users", { method: "POST", body: { username: f.get("username"), password: f.get("password"), is_admin: f.get("is_admin") === "on" } });
      setUsers((all) => [...all, r.user].sort((a, b) => a.username.localeCompare(b.username)));
      setNotice(`Added ${r.user.username}.`);
      form.reset();
    });
  }

  const patch = (u: UserView, body: Record<string, unknown>, message: string) =>
    act(async () => {
      const r = await apiFetch<{ user: UserView }>(`/api/auth/users/${encodeURIComponent(u.username)}`, { method: "PATCH", body });
      replace(r.user);
      setNotice(message);
    });

  function resetPassword(u: UserView) {
    const password = window.prompt(`New password for ${u.username} (8 characters or more). Their sessions end.`);
    if (password) void patch(u, { password }, `Password of ${u.username} reset.`);
  }

  const input = "mt-1 rounded-md border border-slate-300 px-3 py-1.5 text-sm";
  return (
    <div className="space-y-4">
      <form onSubmit={add} className="flex flex-wrap gap-3 items-end rounded-lg border border-slate-200 bg-white p-4" aria-label="Add user">
        <label className="text-sm">
          <span className="block text-slate-700">Username</span>
          <input name="username" required className={input} autoComplete="off" />
        </label>
        <label className="text-sm">
          <span className="block text-slate-700">Initial password</span>
          <input name="password" type="password" required minLength={8} className={input} autoComplete="new-password" />
        </label>
        <label className="text-sm flex items-center gap-2 pb-2">
          <input name="is_admin" type="checkbox" /> Admin
        </label>
        <SubmitButton>Add user</SubmitButton>
      </form>
      {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
      {notice && <p role="status" className="text-sm text-emerald-700">{notice}</p>}
      <SettingsTable columns={["Username", "Role", "Status", "Created"]}>
        {users.map((u) => (
          <tr key={u.id} data-username={u.username}>
            <td className="px-3 py-2 font-medium">
              {u.username}
              {u.username === me && <span className="ml-1 text-xs text-slate-500">(you)</span>}
            </td>
            <td className="px-3 py-2">{u.isAdmin ? "admin" : "user"}</td>
            <td className="px-3 py-2">{u.disabled ? <span className="text-red-600">disabled</span> : "active"}</td>
            <td className="px-3 py-2">{formatUtcMinute(u.createdAt)}</td>
            <td className="px-3 py-2 text-right space-x-3 whitespace-nowrap">
              <button type="button" className="text-indigo-600 hover:underline" onClick={() => resetPassword(u)}>
                Reset password
              </button>
              {u.username !== me && (
                <>
                  <button type="button" className="text-indigo-600 hover:underline" onClick={() => patch(u, { is_admin: !u.isAdmin }, `${u.username} is ${u.isAdmin ? "no longer" : "now"} an admin.`)}>
                    {u.isAdmin ? "Remove admin" : "Make admin"}
                  </button>
                  <button type="button" className={u.disabled ? "text-indigo-600 hover:underline" : "text-red-600 hover:underline"} onClick={() => patch(u, { disabled: !u.disabled }, `${u.username} ${u.disabled ? "enabled" : "disabled"}.`)}>
                    {u.disabled ? "Enable" : "Disable"}
                  </button>
                </>
              )}
            </td>
          </tr>
        ))}
      </SettingsTable>
    </div>
  );
}
