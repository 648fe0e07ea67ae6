// Password hashing with scrypt (memory-hard, in node:crypto: no native addon to build). Stored format:
// scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>, so the cost can be raised later without breaking old hashes.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

const LOG_N = 15; // N = 32768, r = 8: 32 MiB per hash, ~50-100 ms on a small server
const R = 8;
const P = 1;
const KEY_LEN = 32;

function scrypt(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize("NFKC"), salt, KEY_LEN, { ...opts, maxmem: 256 * (opts.N ?? 1) * (opts.r ?? 8) + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, { N: 2 ** LOG_N, r: R, p: P });
  return `scrypt$${LOG_N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

// Verifying against this when the user does not exist keeps the time of a failed sign-in independent of
// whether the username is known.
let dummyHash: Promise<string> | undefined;

/** Constant-time check; false for malformed or missing hashes (never throws on bad input). */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const target = stored ?? (await (dummyHash ??= hashPassword(randomBytes(16).toString("hex"))));
  const parts = target.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number);
  if (!(logN >= 10 && logN <= 20 && r >= 1 && r <= 32 && p >= 1 && p <= 4)) return false;
  const salt = Buffer.from(parts[4], "base64");
  const expected = Buffer.from(parts[5], "base64");
  const actual = await scrypt(password, salt, { N: 2 ** logN, r, p });
  const same = expected.length === actual.length && timingSafeEqual(expected, actual);
  return same && stored != null;
}

export const MIN_PASSWORD_LENGTH = 8;

/** A reason the password is unacceptable, or undefined. */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== "string" || password.length < MIN_PASSWORD_LENGTH) return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 1024) return "Password is too long";
  return undefined;
}
