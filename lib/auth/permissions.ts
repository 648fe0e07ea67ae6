// Per-experiment permissions (experiment_permissions), MLflow's model (spec §10.2): READ < EDIT < MANAGE,
// NO_PERMISSIONS to shut a user out; users without a grant get the default permission
// (FLOWTRACE_DEFAULT_PERMISSION, READ unless set); admins bypass; an experiment's creator gets MANAGE.
import { prisma } from "../db";
import { ApiError, invalidParameter, notFound } from "../errors";
import { parseExperimentId } from "../experiment-id";
import { audit } from "./audit";
import { requireUserByName } from "./users";

export const PERMISSIONS = ["NO_PERMISSIONS", "READ", "EDIT", "MANAGE"] as const;
export type Permission = (typeof PERMISSIONS)[number];

const RANK: Record<Permission, number> = { NO_PERMISSIONS: 0, READ: 1, EDIT: 2, MANAGE: 3 };

export function isPermission(v: unknown): v is Permission {
  return typeof v === "string" && (PERMISSIONS as readonly string[]).includes(v);
}

export function permits(have: Permission, need: Exclude<Permission, "NO_PERMISSIONS">): boolean {
  return RANK[have] >= RANK[need];
}

export function defaultPermission(env: Record<string, string | undefined> = process.env): Permission {
  const v = (env.FLOWTRACE_DEFAULT_PERMISSION ?? "READ").toUpperCase();
  return isPermission(v) ? v : "READ";
}

function toBigInt(id: string | bigint): bigint | null {
  if (typeof id === "bigint") return id;
  return parseExperimentId(id);
}

/** The user's permission on an experiment: the explicit grant, else the default. */
export async function effectivePermission(userId: bigint, experimentId: string | bigint): Promise<Permission> {
  const eid = toBigInt(experimentId);
  if (eid === null) return defaultPermission();
  const row = await prisma.experimentPermission.findUnique({ where: { experimentId_userId: { experimentId: eid, userId } }, select: { permission: true } });
  return row && isPermission(row.permission) ? row.permission : defaultPermission();
}

/** Explicit NO_PERMISSIONS grants and, when the default is NO_PERMISSIONS, the explicit readable ones. */
export async function experimentVisibility(userId: bigint): Promise<{ defaultReadable: boolean; readable: bigint[]; hidden: bigint[] }> {
  const rows = await prisma.experimentPermission.findMany({ where: { userId }, select: { experimentId: true, permission: true } });
  return {
    defaultReadable: defaultPermission() !== "NO_PERMISSIONS",
    readable: rows.filter((r) => r.permission !== "NO_PERMISSIONS").map((r) => r.experimentId),
    hidden: rows.filter((r) => r.permission === "NO_PERMISSIONS").map((r) => r.experimentId),
  };
}

export interface ExperimentPermissionView {
  experiment_id: string;
  user_id: string;
  username: string;
  permission: Permission;
}

async function requireExperiment(experimentId: string | bigint): Promise<bigint> {
  const eid = toBigInt(experimentId);
  if (eid === null) throw invalidParameter(`Invalid experiment_id '${experimentId}'`);
  const e = await prisma.experiment.findUnique({ where: { id: eid }, select: { id: true } });
  if (!e) throw notFound(`Could not find experiment with ID ${experimentId}`);
  return eid;
}

export async function listExperimentPermissions(experimentId: string | bigint): Promise<ExperimentPermissionView[]> {
  const eid = await requireExperiment(experimentId);
  const rows = await prisma.experimentPermission.findMany({ where: { experimentId: eid }, include: { user: { select: { username: true } } }, orderBy: { userId: "asc" } });
  return rows.map((r) => ({ experiment_id: r.experimentId.toString(), user_id: r.userId.toString(), username: r.user.username, permission: r.permission as Permission }));
}

export async function getExperimentPermission(experimentId: string | bigint, username: string): Promise<ExperimentPermissionView> {
  const eid = await requireExperiment(experimentId);
  const user = await requireUserByName(username);
  const row = await prisma.experimentPermission.findUnique({ where: { experimentId_userId: { experimentId: eid, userId: user.id } } });
  if (!row) throw notFound(`Experiment permission with experiment_id=${eid} and username=${username} not found`);
  return { experiment_id: eid.toString(), user_id: user.id.toString(), username, permission: row.permission as Permission };
}

/**
 * Grants or changes a user's permission (mode "create" fails if one exists, "update" if none does,
 * "upsert" does either), audited with the actor.
 */
export async function setExperimentPermission(
  experimentId: string | bigint,
  username: string,
  permission: unknown,
  actor: string | null,
  mode: "create" | "update" | "upsert" = "upsert",
): Promise<ExperimentPermissionView> {
  if (!isPermission(permission)) throw invalidParameter(`Invalid permission '${String(permission)}': expected one of ${PERMISSIONS.join(", ")}`);
  const eid = await requireExperiment(experimentId);
  const user = await requireUserByName(username);
  await prisma.$transaction(async (tx) => {
    const prev = await tx.experimentPermission.findUnique({ where: { experimentId_userId: { experimentId: eid, userId: user.id } } });
    if (prev && mode === "create") throw new ApiError("RESOURCE_ALREADY_EXISTS", `Experiment permission (experiment_id=${eid}, username=${username}) already exists`);
    if (!prev && mode === "update") throw notFound(`Experiment permission with experiment_id=${eid} and username=${username} not found`);
    await tx.experimentPermission.upsert({
      where: { experimentId_userId: { experimentId: eid, userId: user.id } },
      create: { experimentId: eid, userId: user.id, permission },
      update: { permission },
    });
    await audit(actor, "permission.set", `experiment:${eid}`, { username, permission, previous: prev?.permission ?? null }, tx);
  });
  return { experiment_id: eid.toString(), user_id: user.id.toString(), username, permission };
}

export async function deleteExperimentPermission(experimentId: string | bigint, username: string, actor: string | null): Promise<void> {
  const eid = await requireExperiment(experimentId);
  const user = await requireUserByName(username);
  await prisma.$transaction(async (tx) => {
    const prev = await tx.experimentPermission.findUnique({ where: { experimentId_userId: { experimentId: eid, userId: user.id } } });
    if (!prev) throw notFound(`Experiment permission with experiment_id=${eid} and username=${username} not found`);
    await tx.experimentPermission.delete({ where: { experimentId_userId: { experimentId: eid, userId: user.id } } });
    await audit(actor, "permission.delete", `experiment:${eid}`, { username, previous: prev.permission }, tx);
  });
}

/** The creator of an experiment gets MANAGE on it (MLflow's rule). Idempotent. */
export async function grantManageToUser(userId: bigint, experimentId: string | bigint, actor: string | null): Promise<void> {
  const eid = toBigInt(experimentId);
  if (eid === null) return;
  await prisma.$transaction(async (tx) => {
    await tx.experimentPermission.upsert({
      where: { experimentId_userId: { experimentId: eid, userId } },
      create: { experimentId: eid, userId, permission: "MANAGE" },
      update: { permission: "MANAGE" },
    });
    await audit(actor, "permission.creator", `experiment:${eid}`, { userId: userId.toString(), permission: "MANAGE" }, tx);
  });
}

export async function permissionsOfUser(userId: bigint): Promise<{ experiment_id: string; permission: string }[]> {
  const rows = await prisma.experimentPermission.findMany({ where: { userId }, orderBy: { experimentId: "asc" }, take: 10_000 });
  return rows.map((r) => ({ experiment_id: r.experimentId.toString(), permission: r.permission }));
}
