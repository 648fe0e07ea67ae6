// Personal access tokens (access_tokens): what MLflow clients send as MLFLOW_TRACKING_TOKEN (Bearer).
// The secret is shown once at creation; only its SHA-256 is stored (tokens carry 256 random bits, so a
// fast hash is enough and lookups stay an index probe).
import { createHash, randomBytes } from "node:crypto";
import { prisma } from "../db";
import { invalidParameter, notFound } from "../errors";
import { audit } from "./audit";

export const TOKEN_PREFIX = "ft_";

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

type TokenRow = { id: bigint; name: string; prefix: string; createdAt: bigint; lastUsedAt: bigint | null; revokedAt: bigint | null };

function toView(t: TokenRow): TokenView {
  return { id: t.id.toString(), name: t.name, prefix: t.prefix, createdAt: Number(t.createdAt), lastUsedAt: t.lastUsedAt === null ? null : Number(t.lastUsedAt), revokedAt: t.revokedAt === null ? null : Number(t.revokedAt) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const g = globalThis as unknown as { __flowtraceTokenCache?: Map<string, { at: number; userId: bigint; tokenId: bigint } | { at: number; userId: null }> };
const cache = (g.__flowtraceTokenCache ??= new Map());
const CACHE_TTL_MS = 5_000;
const LAST_USED_RESOLUTION_MS = 60_000;

export async function createToken(userId: bigint, name: string, actor: string): Promise<{ token: string; view: TokenView }> {
  const clean = String(name ?? "").trim();
  if (!clean || clean.length > 100) throw invalidParameter("Token name must be 1-100 characters");
  const secret = randomBytes(32).toString("base64url");
  const token = `${TOKEN_PREFIX}${secret}`;
  const row = await prisma.$transaction(async (tx) => {
    const r = await tx.accessToken.create({ data: { userId, name: clean, tokenHash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6), createdAt: BigInt(Date.now()) } });
    await audit(actor, "token.create", `user:${actor}`, { tokenId: r.id.toString(), name: clean }, tx);
    return r;
  });
  return { token, view: toView(row) };
}

export async function listTokens(userId: bigint): Promise<TokenView[]> {
  const rows = await prisma.accessToken.findMany({ where: { userId }, orderBy: { id: "desc" }, take: 500 });
  return rows.map(toView);
}

/** Revokes one of the user's tokens (admins may revoke anyone's: pass userId null). */
export async function revokeToken(tokenId: bigint, userId: bigint | null, actor: string): Promise<void> {
  const t = await prisma.accessToken.findUnique({ where: { id: tokenId } });
  if (!t || (userId !== null && t.userId !== userId)) throw notFound(`Token ${tokenId} not found`);
  if (t.revokedAt === null) {
    await prisma.$transaction(async (tx) => {
      await tx.accessToken.update({ where: { id: tokenId }, data: { revokedAt: BigInt(Date.now()) } });
      await audit(actor, "token.revoke", `user:${actor}`, { tokenId: tokenId.toString(), name: t.name }, tx);
    });
  }
  cache.delete(t.tokenHash);
}

/** The user id and token id for a Bearer token, or null (unknown, revoked). Updates last-used lazily. */
export async function resolveToken(token: string): Promise<{ userId: bigint; tokenId: bigint } | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const h = hashToken(token);
  const hit = cache.get(h);
  if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.userId === null ? null : { userId: hit.userId, tokenId: hit.tokenId };
  const t = await prisma.accessToken.findUnique({ where: { tokenHash: h } });
  if (!t || t.revokedAt !== null) {
    cache.set(h, { at: Date.now(), userId: null });
    return null;
  }
  const now = Date.now();
  if (t.lastUsedAt === null || now - Number(t.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
    await prisma.accessToken.update({ where: { id: t.id }, data: { lastUsedAt: BigInt(now) } }).catch(() => {});
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(h, { at: now, userId: t.userId, tokenId: t.id });
  return { userId: t.userId, tokenId: t.id };
}
