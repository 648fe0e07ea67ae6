// First run with --auth and no FLOWTRACE_ADMIN_USERNAME/PASSWORD: create the first admin. Needs the
// one-time token from the server log, so whoever can reach the port first cannot claim the server.
import type { Metadata } from "next";
import { authEnabled } from "@/lib/auth/guard";
import { setupPending } from "@/lib/auth/users";
import { SetupForm } from "./setup-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Create the admin account" };

export default async function SetupPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  const pending = authEnabled() && (await setupPending());
  return (
    <div className="min-h-[70vh] flex items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold mb-1">Create the admin account</h1>
        {pending ? (
          <SetupForm token={token ?? ""} />
        ) : (
          <p className="text-sm text-slate-600 mt-2">
            Setup is complete. <a href="/login" className="text-indigo-600 hover:underline">Sign in</a>
          </p>
        )}
      </div>
    </div>
  );
}
