// The single authorization hook every route family calls (MLflow REST wrapper, OTLP route, UI API routes,
// pages). Each route declares what it needs; this module decides. Without --auth (the default, like
// `mlflow server`) every request is allowed. With it: a principal from Basic, Bearer or the UI session
// (session.ts), MLflow's per-experiment permissions (permissions.ts), admins bypass.
import { getPool, prisma } from "../db";
import { notFound } from "../errors";
import { parseExperimentId } from "../experiment-id";
import { experimentsHoldingArtifactPath } from "../store/artifacts";
import { effectivePermission, experimentVisibility, grantManageToUser, permits, type Permission } from "./permissions";
import { getPrincipal, hasCredentials, headerOf, type Principal, type RequestLike } from "./session";

export type PermissionLevel = "READ" | "EDIT" | "MANAGE";

export type Access =
  | { kind: "public" } // /health, /version, login page
  | { kind: "authenticated" } // any signed-in user or valid API credential
  | { kind: "experiment"; level: PermissionLevel; experimentId: string | bigint }
  // A write or read of one trace, resolved through the experiment that OWNS the trace (looked up in the database),
  // never through one the request names. With `experimentId` (StartTraceV3: the experiment the request names,
  // where a trace not stored yet is created): an unknown trace needs that experiment's permission, a stored one
  // needs its owner's (and the named one's, when they differ). Without it an unknown trace is a 404.
  | { kind: "trace"; level: PermissionLevel; traceId: string; experimentId?: string | bigint }
  // Several traces (delete-traces, link-to-run) in one query: every stored one's owner must permit `level`;
  // ids not stored are a 404 unless `ifExists` (the route ignores them, as delete-traces does).
  | { kind: "traces"; level: PermissionLevel; traceIds: string[]; ifExists?: boolean }
  // An mlflow-artifacts path outside the numeric experiment folders "<id>/…": the experiments whose artifact
  // location holds it decide; a path no experiment holds is readable by any signed-in user and writable by admins.
  | { kind: "artifact"; level: PermissionLevel; path: string }
  | { kind: "user"; username: string } // that user themself, or an admin
  | { kind: "admin" };

export class AccessDenied extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

export function authEnabled(): boolean {
  return process.env.FLOWTRACE_AUTH === "1" || process.env.FLOWTRACE_AUTH === "true";
}

type AuthRequest = RequestLike & { method?: string; url?: string };

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * A browser session must not be usable from another site (CSRF): state-changing requests that
 * authenticate by cookie must come from our own origin. Basic and Bearer callers are not affected
 * (browsers never attach a Bearer token by themselves).
 */
export function sameOriginRequest(req: RequestLike): boolean {
  const site = headerOf(req, "sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = headerOf(req, "origin");
  // Not X-Forwarded-Host: a client can send that. The server's hardening layer copies a trusted proxy's
  // value (--trusted-proxies) into x-flowtrace-forwarded-host and drops any client-sent copy.
  const host = headerOf(req, "x-flowtrace-forwarded-host") ?? headerOf(req, "host");
  if (origin) {
    try {
      return new URL(origin).host.toLowerCase() === (host ?? "").toLowerCase();
    } catch {
      return false;
    }
  }
  return headerOf(req, "x-flowtrace-csrf") === "1";
}

const TRACE_ID_SEGMENT = /^tr-[0-9a-f]{32}$/i;
/** How long after StartTraceV3 an unauthenticated traces.json upload is accepted (spec §4.2). */
export const ANONYMOUS_UPLOAD_WINDOW_MS = 10 * 60_000;

/**
 * The TypeScript SDK uploads `traces.json` with a PUT that carries no Authorization header (spec §4.2),
 * right after its authenticated StartTraceV3. We accept that one upload when the trace exists, was
 * written within the last minutes, and has no spans yet: the trace id (128 random bits) was only known
 * to the caller that just started the trace, and a second upload is refused once spans are stored.
 */
async function anonymousTraceUpload(req: AuthRequest, access: Access): Promise<boolean> {
  if ((req.method ?? "GET").toUpperCase() !== "PUT" || hasCredentials(req) || !req.url || access.kind === "admin" || access.kind === "user") return false;
  let pathname: string;
  try {
    pathname = new URL(req.url, "http://x").pathname;
  } catch {
    return false;
  }
  if (!pathname.endsWith("/traces.json")) return false;
  const traceId = pathname.split("/").find((s) => TRACE_ID_SEGMENT.test(s));
  // only the two shapes this upload is authorized with (the trace in the path, or its experiment folder)
  if (access.kind !== "trace" && access.kind !== "experiment") return false;
  if (!traceId || (access.kind === "trace" && access.traceId !== traceId)) return false;
  const t = await prisma.trace.findUnique({ where: { traceId }, select: { experimentId: true, spanCount: true, updatedAt: true } });
  if (!t || t.spanCount > 0) return false;
  if (access.kind === "experiment" && String(access.experimentId) !== t.experimentId.toString()) return false;
  const age = Date.now() - Number(t.updatedAt);
  return age >= -60_000 && age < ANONYMOUS_UPLOAD_WINDOW_MS;
}

// The owner of a trace: one primary-key lookup, a prepared statement (StartTraceV3 is a hot path; this runs
// only with --auth). Text, not bigint, so that it compares with experiment ids as the requests give them.
const TRACE_OWNER_SQL = "SELECT experiment_id::text AS e FROM traces WHERE trace_id = $1";

async function traceExperiment(traceId: string): Promise<string | null> {
  if (traceId.includes("\u0000")) return null; // PostgreSQL text cannot hold NUL: no such trace is stored
  const { rows } = await getPool().query<{ e: string }>({ name: "flowtrace_auth_trace_owner", text: TRACE_OWNER_SQL, values: [traceId] });
  return rows[0]?.e ?? null;
}

/** Owners of the stored ones among `traceIds` (trace id → experiment id), one query. */
async function traceExperiments(traceIds: string[]): Promise<Map<string, string>> {
  const { rows } = await getPool().query<{ t: string; e: string }>(
    "SELECT trace_id AS t, experiment_id::text AS e FROM traces WHERE trace_id = ANY($1::text[])",
    [[...new Set(traceIds)].filter((id) => !id.includes("\u0000"))],
  );
  return new Map(rows.map((r) => [r.t, r.e]));
}

/** A canonical experiment id ("007" and 7n are "7"), or the text as given when it is not one. */
function expKey(id: string | bigint): string {
  const s = String(id).trim();
  return parseExperimentId(s)?.toString() ?? s;
}

/** The principal's permission for an access of kind experiment/trace (MANAGE for admins). */
async function permissionFor(p: Principal, experimentId: string | bigint): Promise<Permission> {
  if (p.isAdmin) return "MANAGE";
  return effectivePermission(p.userId, experimentId);
}

/**
 * Throws AccessDenied (401 without valid credentials, 403 without permission), or a 404 ApiError for a
 * trace that does not exist (non-admins).
 */
export async function authorize(req: AuthRequest, access: Access): Promise<void> {
  if (!authEnabled() || access.kind === "public") return;
  const p = await getPrincipal(req);
  if (!p) {
    if (await anonymousTraceUpload(req, access)) return;
    throw new AccessDenied(401, hasCredentials(req) ? "Invalid credentials" : "Authentication required");
  }
  if (p.via === "session" && STATE_CHANGING.has((req.method ?? "GET").toUpperCase()) && !sameOriginRequest(req)) {
    throw new AccessDenied(403, "Cross-site request rejected");
  }
  switch (access.kind) {
    case "authenticated":
      return;
    case "admin":
      if (!p.isAdmin) throw new AccessDenied(403, "Permission denied");
      return;
    case "user":
      if (!p.isAdmin && p.username !== access.username) throw new AccessDenied(403, "Permission denied");
      return;
    case "experiment": {
      if (!permits(await permissionFor(p, access.experimentId), access.level)) throw new AccessDenied(403, "Permission denied");
      return;
    }
    case "trace": {
      if (p.isAdmin) return;
      const owner = await traceExperiment(access.traceId);
      const named = access.experimentId === undefined ? null : expKey(access.experimentId);
      if (owner === null) {
        // Unknown trace: 404 as MLflow's auth app answers. Letting it through would let a writer whose
        // route derives the experiment elsewhere (traces.json under an experiment's artifact root) write
        // into an experiment it has no EDIT on. A route that creates the trace names where: that decides.
        if (named === null) throw notFound(`Trace with ID '${access.traceId}' not found.`);
        await requireExperiment(p, named, access.level);
        return;
      }
      // A stored trace: its owner decides, whatever experiment the request names (issue #14: a StartTraceV3
      // naming the caller's own experiment and another's trace id rewrote that trace).
      await requireExperiment(p, owner, access.level);
      if (named !== null && named !== owner) await requireExperiment(p, named, access.level);
      return;
    }
    case "traces": {
      if (p.isAdmin || !access.traceIds.length) return;
      const owners = await traceExperiments(access.traceIds);
      if (!access.ifExists) {
        const unknown = access.traceIds.find((id) => !owners.has(id));
        if (unknown !== undefined) throw notFound(`Trace with ID '${unknown}' not found.`);
      }
      for (const e of new Set(owners.values())) await requireExperiment(p, e, access.level);
      return;
    }
    case "artifact": {
      if (p.isAdmin) return;
      const owners = await experimentsHoldingArtifactPath(access.path);
      // Outside every experiment's folder: reads as before (any signed-in user), writes only by admins — these
      // are files no experiment grant covers, so no EDIT on some experiment may overwrite or delete them.
      if (!owners.length) {
        if (access.level !== "READ") throw new AccessDenied(403, "Permission denied: artifacts outside an experiment's artifact location can only be written by admins");
        return;
      }
      // several experiments may share a location: the caller must be allowed on each of them
      for (const e of owners) await requireExperiment(p, e, access.level);
      return;
    }
  }
}

async function requireExperiment(p: Principal, experimentId: string | bigint, level: PermissionLevel): Promise<void> {
  if (!permits(await permissionFor(p, experimentId), level)) throw new AccessDenied(403, "Permission denied");
}

/** authorize() as a boolean, for UIs that hide what a user cannot do. */
export async function can(req: AuthRequest, access: Access): Promise<boolean> {
  try {
    await authorize(req, access);
    return true;
  } catch (err) {
    if (err instanceof AccessDenied) return false;
    throw err;
  }
}

/** The caller's permission on an experiment (MANAGE when auth is off or for admins; NO_PERMISSIONS anonymous). */
export async function experimentPermissionOf(req: RequestLike, experimentId: string | bigint): Promise<Permission> {
  if (!authEnabled()) return "MANAGE";
  const p = await getPrincipal(req);
  if (!p) return "NO_PERMISSIONS";
  return permissionFor(p, experimentId);
}

/**
 * For listings (experiment search, the home page): which experiments the caller may see. null = all (auth
 * off, admins, no NO_PERMISSIONS grants); otherwise only the `include` ids, or all but the `exclude` ids.
 */
export async function experimentListFilter(req: RequestLike): Promise<null | { include: string[] } | { exclude: string[] }> {
  if (!authEnabled()) return null;
  const p = await getPrincipal(req);
  if (!p) return { include: [] };
  if (p.isAdmin) return null;
  const v = await experimentVisibility(p.userId);
  if (!v.defaultReadable) return { include: v.readable.map(String) };
  return v.hidden.length ? { exclude: v.hidden.map(String) } : null;
}

/**
 * Hook for experiment creation (CreateExperiment, the UI, ingestion that creates experiments): the caller
 * gets MANAGE on the experiment it created. A no-op without --auth or without a principal.
 */
export async function grantCreatorManage(req: RequestLike, experimentId: string | bigint): Promise<void> {
  if (!authEnabled()) return;
  const p = await getPrincipal(req);
  if (!p) return;
  await grantManageToUser(p.userId, experimentId, p.username);
}

export { getPrincipal, type Principal } from "./session";
