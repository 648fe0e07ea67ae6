// Who changed accounts, tokens and permissions, and when (audit_events). Written in the same transaction
// as the change when one is given, so the log never claims a change that was rolled back.
import { prisma } from "../db";
import type { Prisma } from "../generated/prisma/client";

type Tx = Pick<typeof prisma, "auditEvent">;

export async function audit(actor: string | null, action: string, target: string | null, detail: Prisma.InputJsonValue = {}, tx: Tx = prisma): Promise<void> {
  await tx.auditEvent.create({ data: { at: BigInt(Date.now()), actor, action, target, detail } });
}

export async function listAuditEvents(opts: { target?: string; limit?: number } = {}) {
  return prisma.auditEvent.findMany({
    where: opts.target ? { target: opts.target } : undefined,
    orderBy: { id: "desc" },
    take: Math.min(opts.limit ?? 50, 500),
  });
}
