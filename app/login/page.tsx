// Sign-in page (public). With --auth off there is nothing to sign in to.
import type { Metadata } from "next";
import { authEnabled } from "@/lib/auth/guard";
import { oidcConfigured, safeCallbackPath } from "@/lib/auth/next-auth";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const sp = await searchParams;
  // only a same-origin path, decided after URL parsing (the form navigates there after signing in)
  const callbackUrl = safeCallbackPath(sp.callbackUrl);
  return (
    <div className="min-h-[70vh] flex items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold mb-1">Sign in to flowtrace</h1>
        {authEnabled() ? (
          <LoginForm callbackUrl={callbackUrl} oidc={oidcConfigured() ? (process.env.FLOWTRACE_OIDC_NAME ?? "Single sign-on") : undefined} initialError={sp.error} />
        ) : (
          <p className="text-sm text-slate-600 mt-2">
            This server runs without accounts (start it with <code className="rounded bg-slate-100 px-1">--auth</code> to require sign-in).{" "}
            <a href="/" className="text-indigo-600 hover:underline">Go to experiments</a>
          </p>
        )}
      </div>
    </div>
  );
}
