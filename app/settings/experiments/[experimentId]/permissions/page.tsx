// Who may do what on one experiment (MANAGE needed): explicit grants over the default permission, and
// the audit trail of changes.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { isExperimentId } from "@/lib/experiment-id";
import { listAuditEvents } from "@/lib/auth/audit";
import { authEnabled } from "@/lib/auth/guard";
import { authorizePage } from "@/lib/auth/page";
import { defaultPermission, listExperimentPermissions } from "@/lib/auth/permissions";
import { prisma } from "@/lib/db";
import { PermissionManager } from "./permission-manager";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Experiment permissions" };

export default async function PermissionsPage({ params }: { params: Promise<{ experimentId: string }> }) {
  const { experimentId } = await params;
  if (!isExperimentId(experimentId)) notFound();
  if (!authEnabled()) return null;
  await authorizePage({ kind: "experiment", level: "MANAGE", experimentId }, `/settings/experiments/${experimentId}/permissions`);
  const experiment = await prisma.experiment.findUnique({ where: { id: BigInt(experimentId) }, select: { name: true } });
  if (!experiment) notFound();
  const [grants, events] = await Promise.all([listExperimentPermissions(experimentId), listAuditEvents({ target: `experiment:${experimentId}`, limit: 20 })]);
  return (
    <section>
      <p className="text-sm text-slate-500">
        <Link href={`/experiments/${experimentId}`} className="hover:underline">{experiment.name}</Link> / permissions
      </p>
      <h1 className="text-xl font-semibold">Permissions</h1>
      <p className="mt-1 mb-4 text-sm text-slate-600">
        READ views traces, EDIT also logs and tags them, MANAGE also deletes and manages permissions. Users without a grant here have the default
        permission <strong>{defaultPermission()}</strong>; admins can do everything.
      </p>
      <PermissionManager experimentId={experimentId} initial={grants} />
      <h2 className="mt-8 mb-2 text-sm font-semibold text-slate-700">Recent changes</h2>
      <ul className="text-sm text-slate-600 space-y-1" data-testid="audit">
        {events.length === 0 && <li>No changes recorded.</li>}
        {events.map((e) => {
          const d = e.detail as { username?: string; permission?: string; previous?: string | null; userId?: string };
          return (
            <li key={e.id.toString()}>
              <span className="text-slate-400">{new Date(Number(e.at)).toISOString().replace("T", " ").slice(0, 19)}</span>{" "}
              <strong>{e.actor ?? "system"}</strong>{" "}
              {e.action === "permission.delete"
                ? `removed the grant of ${d.username} (was ${d.previous})`
                : e.action === "permission.creator"
                  ? "created the experiment (MANAGE)"
                  : `set ${d.username} to ${d.permission}${d.previous ? ` (was ${d.previous})` : ""}`}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
