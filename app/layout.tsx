import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { Providers } from "@/components/Providers";
import { UserMenu } from "./settings/user-menu";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "flowtrace", template: "%s · flowtrace" },
  description: "Tracing for GenAI applications, MLflow-compatible",
  icons: { icon: { url: "/favicon.ico", type: "image/svg+xml" } },
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request: the CSP nonce (lib/server/hardening.ts) differs on each response and
  // Next can only put it on the inline scripts of a page it renders now, not of a prerendered one.
  await connection();
  return (
    <html lang="en">
      <body className="flex h-full min-h-full flex-col">
        <header className="flex h-11 shrink-0 items-center gap-6 border-b border-slate-800 bg-slate-900 px-4">
          <Link href="/" className="flex items-center gap-2 text-sm font-semibold tracking-tight text-white">
            <span aria-hidden className="inline-block h-4 w-4 rounded-sm bg-gradient-to-br from-indigo-400 to-cyan-300" />
            flowtrace
          </Link>
          <nav className="flex items-center gap-4 text-[13px] text-slate-300">
            <Link href="/" className="hover:text-white">Experiments</Link>
          </nav>
          <UserMenu />
        </header>
        <main className="flex min-h-0 flex-1 flex-col">
          <Providers>{children}</Providers>
        </main>
      </body>
    </html>
  );
}
