// MLflow's user and permission REST API (mlflow/server/auth: /api/2.0/mlflow/users/…,
// /api/2.0/mlflow/experiments/permissions/…), same JSON shapes, over our accounts, through the MLflow
// route wrapper (lossless JSON, query or body parameters, MLflow's error envelope).
import { z } from "zod";
import { bool, idStr, requiredStr } from "../mlflow/params";
import { mlflowRoute, type RouteContext } from "../mlflow/route";
import {
  deleteExperimentPermission,
  getExperimentPermission,
  permissionsOfUser,
  setExperimentPermission,
  type ExperimentPermissionView,
} from "./permissions";
import { requirePrincipal } from "./route";
import { getPrincipal } from "./session";
import { createUser, deleteUser, requireUserByName, setPassword, updateUser, type UserRecord } from "./users";

export async function mlflowUserJson(u: UserRecord) {
  return {
    user: {
      id: Number(u.id),
      username: u.username,
      is_admin: u.isAdmin,
      experiment_permissions: (await permissionsOfUser(u.id)).map((p) => ({ ...p, user_id: Number(u.id) })),
      registered_model_permissions: [],
    },
  };
}

export function mlflowPermissionJson(p: ExperimentPermissionView) {
  return { experiment_permission: { experiment_id: p.experiment_id, user_id: Number(p.user_id), permission: p.permission } };
}

/** The caller's name for the audit log (these endpoints only exist with --auth). */
async function actor(ctx: RouteContext): Promise<string> {
  return requirePrincipal(await getPrincipal(ctx.req)).username;
}

const manage = (i: { experiment_id: string }) => ({ kind: "experiment" as const, level: "MANAGE" as const, experimentId: i.experiment_id });
const permissionSchema = z.object({ experiment_id: idStr(), username: requiredStr(), permission: requiredStr() });
const grantSchema = z.object({ experiment_id: idStr(), username: requiredStr() });

export const mlflowUserRoutes = {
  createUser: mlflowRoute({
    schema: z.object({ username: requiredStr(), password: requiredStr() }),
    access: () => ({ kind: "admin" }),
    handler: async (i, ctx) => mlflowUserJson(await createUser({ username: i.username, password: i.password }, await actor(ctx))),
  }),
  getUser: mlflowRoute({
    schema: z.object({ username: requiredStr() }),
    access: (i) => ({ kind: "user", username: i.username }),
    handler: async (i, ctx) => {
      await actor(ctx);
      return mlflowUserJson(await requireUserByName(i.username));
    },
  }),
  updatePassword: mlflowRoute({
    schema: z.object({ username: requiredStr(), password: requiredStr() }),
    access: (i) => ({ kind: "user", username: i.username }),
    handler: async (i, ctx) => {
      await setPassword(i.username, i.password, await actor(ctx));
      return {};
    },
  }),
  updateAdmin: mlflowRoute({
    schema: z.object({ username: requiredStr(), is_admin: bool() }),
    access: () => ({ kind: "admin" }),
    handler: async (i, ctx) => {
      await updateUser(i.username, { isAdmin: i.is_admin }, await actor(ctx));
      return {};
    },
  }),
  deleteUser: mlflowRoute({
    schema: z.object({ username: requiredStr() }),
    access: () => ({ kind: "admin" }),
    handler: async (i, ctx) => {
      await deleteUser(i.username, await actor(ctx));
      return {};
    },
  }),
  createPermission: mlflowRoute({
    schema: permissionSchema,
    access: manage,
    handler: async (i, ctx) => mlflowPermissionJson(await setExperimentPermission(i.experiment_id, i.username, i.permission, await actor(ctx), "create")),
  }),
  getPermission: mlflowRoute({
    schema: grantSchema,
    access: manage,
    handler: async (i, ctx) => {
      await actor(ctx);
      return mlflowPermissionJson(await getExperimentPermission(i.experiment_id, i.username));
    },
  }),
  updatePermission: mlflowRoute({
    schema: permissionSchema,
    access: manage,
    handler: async (i, ctx) => {
      await setExperimentPermission(i.experiment_id, i.username, i.permission, await actor(ctx), "update");
      return {};
    },
  }),
  deletePermission: mlflowRoute({
    schema: grantSchema,
    access: manage,
    handler: async (i, ctx) => {
      await deleteExperimentPermission(i.experiment_id, i.username, await actor(ctx));
      return {};
    },
  }),
};
