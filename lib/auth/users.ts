// Accounts (users table): creation, password checks, admin flags, disabling; the first admin from the
// environment or the first-run page. Passwords are scrypt hashes (password.ts); every change is audited.
import { createHash, randomBytes } from "node:crypto";
import { prisma } from "../db";
import { ApiError, invalidParameter, notFound } from "../errors";
import { audit } from "./audit";
import { hashPassword, passwordProblem, verifyPassword } from "./password";
import { attemptSucceeded, reserveAttempt, SignInThrottled } from "./rate-limit";
import { deleteSetting, getOrCreateSetting, getSetting } from "./settings";

export interface UserRecord {
  id: bigint;
  username: string;
  passwordHash: string | null;
  isAdmin: boolean;
  disabled: boolean;
  sessionVersion: number;
  createdAt: bigint;
}

export interface UserView {
  id: string;
  username: string;
  isAdmin: boolean;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: number;
}

export function toUserView(u: UserRecord): UserView {
  return { id: u.id.toString(), username: u.username, isAdmin: u.isAdmin, disabled: u.disabled, hasPassword: u.passwordHash !== null, createdAt: Number(u.createdAt) };
}

const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

export function usernameProblem(username: unknown): string | undefined {
  if (typeof username !== "string" || !USERNAME_RE.test(username)) {
    return "Username must be 1-64 characters: letters, digits and . _ @ + - (starting with a letter or digit)";
  }
  return undefined;
}

// Caches shared by the custom server and the Next bundle (which hold separate copies of this module).
interface Caches {
  users: Map<string, { at: number; user: UserRecord | null }>;
  basic: Map<string, { at: number; userId: bigint; passwordHash: string }>;
}
const g = globalThis as unknown as { __flowtraceAuthCaches?: Caches };
export const caches: Caches = (g.__flowtraceAuthCaches ??= { users: new Map(), basic: new Map() });
const USER_TTL_MS = 5_000;
const BASIC_TTL_MS = 60_000;

export function forgetUser(id: bigint): void {
  caches.users.delete(id.toString());
  for (const [k, v] of caches.basic) if (v.userId === id) caches.basic.delete(k);
}

/** The user row, cached for a few seconds (a disabled user is locked out within that time everywhere). */
export async function loadUser(id: bigint): Promise<UserRecord | null> {
  const key = id.toString();
  const hit = caches.users.get(key);
  if (hit && Date.now() - hit.at < USER_TTL_MS) return hit.user;
  const user = await prisma.user.findUnique({ where: { id } });
  caches.users.set(key, { at: Date.now(), user });
  if (caches.users.size > 10_000) caches.users.clear();
  return user;
}

export async function findUserByName(username: string): Promise<UserRecord | null> {
  return prisma.user.findUnique({ where: { username } });
}

export async function requireUserByName(username: string): Promise<UserRecord> {
  const u = await findUserByName(username);
  if (!u) throw notFound(`User with username=${username} not found`);
  return u;
}

export async function listUsers(): Promise<UserView[]> {
  const rows = await prisma.user.findMany({ orderBy: { username: "asc" }, take: 1000 });
  return rows.map(toUserView);
}

export async function createUser(input: { username: string; password?: string | null; isAdmin?: boolean }, actor: string | null): Promise<UserRecord> {
  const up = usernameProblem(input.username);
  if (up) throw invalidParameter(up);
  if (input.password != null) {
    const pp = passwordProblem(input.password);
    if (pp) throw invalidParameter(pp);
  }
  const passwordHash = input.password != null ? await hashPassword(input.password) : null;
  try {
    return await prisma.$transaction(async (tx) => {
      const u = await tx.user.create({ data: { username: input.username, passwordHash, isAdmin: Boolean(input.isAdmin), createdAt: BigInt(Date.now()) } });
      await audit(actor, "user.create", `user:${u.username}`, { isAdmin: u.isAdmin }, tx);
      return u;
    });
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") throw new ApiError("RESOURCE_ALREADY_EXISTS", `User '${input.username}' already exists.`);
    throw err;
  }
}

export async function setPassword(username: string, password: string, actor: string | null): Promise<void> {
  const pp = passwordProblem(password);
  if (pp) throw invalidParameter(pp);
  const u = await requireUserByName(username);
  const passwordHash = await hashPassword(password);
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: u.id }, data: { passwordHash, sessionVersion: { increment: 1 } } });
    await audit(actor, "user.password", `user:${u.username}`, {}, tx);
  });
  forgetUser(u.id);
}

export async function updateUser(username: string, change: { isAdmin?: boolean; disabled?: boolean }, actor: string | null): Promise<UserRecord> {
  const u = await requireUserByName(username);
  const data: { isAdmin?: boolean; disabled?: boolean; sessionVersion?: { increment: number } } = {};
  if (change.isAdmin !== undefined) data.isAdmin = change.isAdmin;
  if (change.disabled !== undefined) {
    data.disabled = change.disabled;
    if (change.disabled) data.sessionVersion = { increment: 1 };
  }
  if ((u.isAdmin && change.isAdmin === false) || (u.isAdmin && change.disabled === true)) await assertAnotherActiveAdmin(u.id);
  const updated = await prisma.$transaction(async (tx) => {
    const r = await tx.user.update({ where: { id: u.id }, data });
    await audit(actor, "user.update", `user:${u.username}`, change, tx);
    return r;
  });
  forgetUser(u.id);
  return updated;
}

export async function deleteUser(username: string, actor: string | null): Promise<void> {
  const u = await requireUserByName(username);
  if (u.isAdmin) await assertAnotherActiveAdmin(u.id);
  await prisma.$transaction(async (tx) => {
    await tx.user.delete({ where: { id: u.id } });
    await audit(actor, "user.delete", `user:${u.username}`, {}, tx);
  });
  forgetUser(u.id);
}

async function assertAnotherActiveAdmin(exceptId: bigint): Promise<void> {
  const others = await prisma.user.count({ where: { isAdmin: true, disabled: false, id: { not: exceptId } } });
  if (others === 0) throw invalidParameter("At least one active admin must remain");
}

export async function userCount(): Promise<number> {
  return prisma.user.count();
}

export type PasswordCheck = { ok: true; user: UserRecord } | { ok: false; reason: "invalid" } | { ok: false; reason: "rate_limited"; retryAfterS: number };

/**
 * Checks a username and password with the sign-in limits applied (rate-limit.ts): the attempt is counted
 * as a failure before the check and taken back when the password is right, so concurrent guesses cannot
 * slip past the limit. The hash is always computed (against a dummy hash for unknown users) so timing does
 * not reveal which usernames exist.
 */
export async function checkPassword(username: string, password: string, ip: string | undefined): Promise<PasswordCheck> {
  const r = await reserveAttempt(username, ip);
  if (!r.allowed) return { ok: false, reason: "rate_limited", retryAfterS: r.retryAfterS };
  const user = typeof username === "string" && username.length <= 64 ? await findUserByName(username) : null;
  const valid = await verifyPassword(password, user?.passwordHash);
  if (!valid || !user || user.disabled) return { ok: false, reason: "invalid" };
  await attemptSucceeded(r.keys);
  return { ok: true, user };
}

/**
 * HTTP Basic credentials. Successful checks are remembered for a minute (keyed by a hash of the pair,
 * in memory only) so API clients sending Basic on every request do not pay a 32 MiB scrypt each time.
 * Throws SignInThrottled (answered 429 with Retry-After) when the sign-in limits refuse the attempt.
 */
export async function verifyBasic(username: string, password: string, ip: string | undefined): Promise<UserRecord | null> {
  const key = createHash("sha256").update(username).update("\0").update(password).digest("base64");
  const hit = caches.basic.get(key);
  if (hit && Date.now() - hit.at < BASIC_TTL_MS) {
    const user = await loadUser(hit.userId);
    if (user && !user.disabled && user.passwordHash === hit.passwordHash && user.username === username) return user;
    caches.basic.delete(key);
  }
  const r = await checkPassword(username, password, ip);
  if (!r.ok && r.reason === "rate_limited") throw new SignInThrottled(r.retryAfterS);
  if (!r.ok) return null;
  if (caches.basic.size > 10_000) caches.basic.clear();
  caches.basic.set(key, { at: Date.now(), userId: r.user.id, passwordHash: r.user.passwordHash ?? "" });
  return r.user;
}

/**
 * At start with --auth: FLOWTRACE_ADMIN_USERNAME / FLOWTRACE_ADMIN_PASSWORD create that admin when it
 * does not exist (an existing account is left alone unless FLOWTRACE_ADMIN_RESET_PASSWORD=1). Without
 * them and without any admin, returns the one-time setup token for the first-run page.
 */
export async function bootstrapAdmin(env: Record<string, string | undefined> = process.env): Promise<{ created?: string; setupToken?: string }> {
  const username = env.FLOWTRACE_ADMIN_USERNAME;
  const password = env.FLOWTRACE_ADMIN_PASSWORD;
  if (username && password) {
    const existing = await findUserByName(username);
    if (!existing) {
      await createUser({ username, password, isAdmin: true }, "bootstrap").catch((err) => {
        if (!(err instanceof ApiError && err.code === "RESOURCE_ALREADY_EXISTS")) throw err; // another instance won
      });
      await deleteSetting("setup_token");
      return { created: username };
    }
    if (!existing.isAdmin || existing.disabled) await updateUser(username, { isAdmin: true, disabled: false }, "bootstrap");
    if (env.FLOWTRACE_ADMIN_RESET_PASSWORD === "1") await setPassword(username, password, "bootstrap");
    return {};
  }
  if ((await prisma.user.count({ where: { isAdmin: true } })) > 0) return {};
  return { setupToken: await getOrCreateSetting("setup_token", () => randomBytes(18).toString("base64url")) };
}

/** First-run page: creates the first admin if the token matches and no admin exists yet. */
export async function completeSetup(token: string, username: string, password: string): Promise<UserRecord> {
  const expected = await getSetting("setup_token");
  const { timingSafeEqual } = await import("node:crypto");
  const a = Buffer.from(String(token));
  const b = Buffer.from(expected ?? "");
  if (!expected || a.length !== b.length || !timingSafeEqual(a, b)) throw invalidParameter("Invalid or expired setup token");
  if ((await prisma.user.count({ where: { isAdmin: true } })) > 0) throw invalidParameter("Setup is complete: an admin already exists");
  const u = await createUser({ username, password, isAdmin: true }, "setup");
  await deleteSetting("setup_token");
  return u;
}

export async function setupPending(): Promise<boolean> {
  return (await getSetting("setup_token")) !== undefined && (await prisma.user.count({ where: { isAdmin: true } })) === 0;
}
