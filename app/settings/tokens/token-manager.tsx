"use client";
import { useState } from "react";
import type { TokenView } from "@/lib/auth/tokens";
import { apiFetch } from "@/components/api";
import { formatUtcMinute } from "@/components/ui/format";
import { SettingsTable } from "@/app/settings/settings-table";
import { SubmitButton } from "@/app/settings/submit-button";

export function TokenManager({ initial }: { initial: TokenView[] }) {
  const [tokens, setTokens] = useState(initial);
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);

  async function create(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    setError(undefined);
    try {
      const r = await apiFetch<TokenView & { token: string }>("/api/auth/tokens", { method: "POST", body: { name: String(new FormData(form).get("name") ?? "") } });
      const { token, ...view } = r;
      setTokens((t) => [view, ...t]);
      setCreated({ name: view.name, token });
      setCopied(false);
      form.reset();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function revoke(t: TokenView) {
    if (!window.confirm(`Revoke the token "${t.name}"? Clients using it will get 401.`)) return;
    try {
      await apiFetch(`/api/auth/tokens/${t.id}`, { method: "DELETE" });
      setTokens((all) => all.map((x) => (x.id === t.id ? { ...x, revokedAt: Date.now() } : x)));
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <div className="space-y-4">
      <form onSubmit={create} className="flex gap-2 items-end">
        <label className="text-sm">
          <span className="block text-slate-700">Token name</span>
          <input name="name" required maxLength={100} placeholder="e.g. ci-pipeline" className="mt-1 w-72 rounded-md border border-slate-300 px-3 py-1.5 text-sm" />
        </label>
        <SubmitButton>Create token</SubmitButton>
      </form>
      {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
      {created && (
        <div className="rounded-lg border border-emerald-300 bg-emerald-50 p-4" data-testid="new-token">
          <p className="text-sm font-medium text-emerald-900">Token “{created.name}” created. Copy it now: it will not be shown again.</p>
          <div className="mt-2 flex items-center gap-2">
            <code className="flex-1 break-all rounded bg-white px-2 py-1 text-sm border border-emerald-200" data-testid="token-value">{created.token}</code>
            <button
              type="button"
              className="rounded-md border border-emerald-400 px-2 py-1 text-sm"
              onClick={() => navigator.clipboard?.writeText(created.token).then(() => setCopied(true), () => setCopied(false))}
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </div>
          <pre className="mt-3 text-xs text-emerald-900 whitespace-pre-wrap">{`export MLFLOW_TRACKING_TOKEN=${created.token}`}</pre>
        </div>
      )}
      <SettingsTable columns={["Name", "Token", "Created", "Last used"]} empty={tokens.length === 0 && "No tokens yet."} className="rounded-lg overflow-hidden">
        {tokens.map((t) => (
          <tr key={t.id} className={t.revokedAt ? "text-slate-400" : undefined}>
            <td className="px-3 py-2 font-medium">{t.name}</td>
            <td className="px-3 py-2 font-mono text-xs">{t.prefix}…</td>
            <td className="px-3 py-2">{formatUtcMinute(t.createdAt)}</td>
            <td className="px-3 py-2">{formatUtcMinute(t.lastUsedAt)}</td>
            <td className="px-3 py-2 text-right">
              {t.revokedAt ? (
                <span>revoked</span>
              ) : (
                <button type="button" onClick={() => revoke(t)} className="text-red-600 hover:underline">
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </SettingsTable>
    </div>
  );
}
