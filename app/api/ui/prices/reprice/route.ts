// Re-pricing stored spans (/settings/prices): everyone signed in sees the progress (reading it resumes a job
// whose runner died); admins start it (with --auth). Audited like the price changes.
import { audit } from "@/lib/auth/audit";
import { authRoute, json } from "@/lib/auth/route";
import { repriceProgress, startReprice } from "@/lib/store/prices-reprice";

export const dynamic = "force-dynamic";

export const GET = authRoute({ kind: "authenticated" }, async () => json({ job: await repriceProgress() }));

export const POST = authRoute({ kind: "admin" }, async ({ actor }) => {
  const job = await startReprice(actor);
  await audit(actor, "price.reprice", null, { spans: job.total });
  return json({ job }, 202);
});
