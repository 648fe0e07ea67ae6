// Personal access tokens: what MLflow clients use as MLFLOW_TRACKING_TOKEN (and OTLP exporters as a
// Bearer header). The secret is shown once, right after creation.
import type { Metadata } from "next";
import { authEnabled } from "@/lib/auth/guard";
import { authorizePage } from "@/lib/auth/page";
import { listTokens } from "@/lib/auth/tokens";
import { TokenManager } from "./token-manager";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Access tokens" };

export default async function TokensPage() {
  if (!authEnabled()) return null;
  const me = await authorizePage({ kind: "authenticated" }, "/settings/tokens");
  const tokens = me ? await listTokens(me.userId) : [];
  return (
    <section>
      <h1 className="text-xl font-semibold">Access tokens</h1>
      <p className="mt-1 mb-4 text-sm text-slate-600">
        Use a token as <code className="rounded bg-slate-100 px-1">MLFLOW_TRACKING_TOKEN</code> for the MLflow SDKs, or send it as{" "}
        <code className="rounded bg-slate-100 px-1">Authorization: Bearer …</code> from OTLP exporters. It acts as you.
      </p>
      <TokenManager initial={tokens} />
    </section>
  );
}
