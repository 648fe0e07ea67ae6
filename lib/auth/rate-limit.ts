// Sign-in throttling, kept in PostgreSQL (login_attempts) so that every server process on one database
// enforces the same limits. Three keys per attempt:
//   account+address  "user:<name>|ip:<addr>"  backoff from the PAIR_FREE-th failure: 15 s, 30 s, … 15 min:
//                    guessing one account's password from one address is slow;
//   account          "user:<name>"            backoff from the ACCOUNT_FREE-th failure: 1 s, 2 s, … 60 s: a
//                    distributed guess is slowed down, while one address (held back far longer by its own
//                    account+address backoff) can lock the account for at most a minute per 15;
//   address          "ip:<addr>"              after ADDRESS_THROTTLE failures for any names the address is
//                    throttled: it gets no further guess at an account it already failed on. It never refuses
//                    a correct password for an account that address has not failed on, so 100 random names
//                    from one address (or one proxy) lock nobody out.
// Atomic under concurrency: an attempt is counted as a failure *before* the password is checked, inside a
// transaction that holds advisory locks on the account and the address (always in that order, so there is
// no deadlock); a correct password then takes the count back. 40 concurrent guesses therefore see the
// counts of the ones before them, and only the allowed ones reach the (slow) password hash.
import { getPool } from "../db";
import { withTransaction } from "../store/pg-tx";

/** A failure counter restarts this long after its last activity (window start or lock end). */
export const WINDOW_MS = 15 * 60_000;
export const PAIR_FREE = 5;
export const PAIR_BASE_MS = 15_000;
export const PAIR_CAP_MS = 15 * 60_000;
export const ACCOUNT_FREE = 10;
export const ACCOUNT_BASE_MS = 1_000;
export const ACCOUNT_CAP_MS = 60_000;
export const ADDRESS_THROTTLE = 30;

/** Thrown where a sign-in is refused by the limits; answered with 429 and Retry-After. */
export class SignInThrottled extends Error {
  constructor(readonly retryAfterS: number) {
    super(`Too many failed sign-in attempts. Try again in ${retryAfterS} s.`);
  }
}

export interface AttemptKeys {
  pair: string;
  account: string;
  ip: string;
}

export function attemptKeys(username: string, ip: string | undefined): AttemptKeys {
  const addr = (ip || "unknown").slice(0, 64);
  // Control characters (NUL above all) cannot be stored in a text column; length is bounded.
  const name = String(username).toLowerCase().slice(0, 128).replace(/[\u0000-\u001f]/g, "?");
  return { pair: `user:${name}|ip:${addr}`, account: `user:${name}`, ip: `ip:${addr}` };
}

interface Counter {
  windowStart: number;
  failures: number;
  lockedUntil: number;
}

/** The wait after `failures` failures: none for the first free-1, then base, 2×base, 4×base, … up to cap. */
export function backoffMs(failures: number, free: number, baseMs: number, capMs: number): number {
  if (failures < free) return 0;
  return Math.min(baseMs * 2 ** Math.min(failures - free, 30), capMs);
}

/** The counter as it stands at `now`: stale ones start over. */
function live(c: Counter | undefined, now: number): Counter {
  if (!c || Math.max(c.windowStart, c.lockedUntil) < now - WINDOW_MS) return { windowStart: now, failures: 0, lockedUntil: 0 };
  return c;
}

export type Decision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** The whole policy as a pure function of the three counters (unit-tested). */
export function decide(pair: Counter, account: Counter, ip: Counter, now: number): Decision {
  const waits: number[] = [];
  if (pair.lockedUntil > now) waits.push(pair.lockedUntil - now);
  if (account.lockedUntil > now) waits.push(account.lockedUntil - now);
  if (waits.length) return { allowed: false, retryAfterMs: Math.max(...waits) };
  if (ip.failures >= ADDRESS_THROTTLE && pair.failures > 0) {
    // lifts when either the address or this account+address counter starts over
    const ends = Math.min(ip.windowStart + WINDOW_MS, Math.max(pair.windowStart, pair.lockedUntil) + WINDOW_MS);
    return { allowed: false, retryAfterMs: Math.max(ends - now, 1000) };
  }
  return { allowed: true };
}

export type Reservation = { allowed: true; keys: AttemptKeys } | { allowed: false; retryAfterS: number };

function locked<T>(keys: AttemptKeys, run: (q: <R extends object>(sql: string, params: unknown[]) => Promise<R[]>) => Promise<T>): Promise<T> {
  return withTransaction(async (client) => {
    const q = async <R extends object>(sql: string, params: unknown[]) => (await client.query<R>(sql, params)).rows;
    await q(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7291))`, [keys.account]);
    await q(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7291))`, [keys.ip]);
    return run(q);
  });
}

let sweepCountdown = 0;

/**
 * Asks to check a password: refused (with the seconds to wait) or allowed, in which case the attempt is
 * already counted as a failure; call attemptSucceeded() when the password was right.
 */
export async function reserveAttempt(username: string, ip: string | undefined, now = Date.now()): Promise<Reservation> {
  const keys = attemptKeys(username, ip);
  const r = await locked(keys, async (q) => {
    const rows = await q<{ key: string; window_start: string; failures: number; locked_until: string }>(
      `SELECT key, window_start, failures, locked_until FROM login_attempts WHERE key = ANY($1)`,
      [[keys.pair, keys.account, keys.ip]],
    );
    const got = new Map(rows.map((r) => [r.key, { windowStart: Number(r.window_start), failures: r.failures, lockedUntil: Number(r.locked_until) }]));
    const pair = live(got.get(keys.pair), now);
    const account = live(got.get(keys.account), now);
    const addr = live(got.get(keys.ip), now);
    const d = decide(pair, account, addr, now);
    if (!d.allowed) return d;
    const next = (c: Counter, free: number, base: number, cap: number): Counter => {
      const failures = c.failures + 1;
      const wait = cap > 0 ? backoffMs(failures, free, base, cap) : 0;
      return { windowStart: c.windowStart, failures, lockedUntil: wait > 0 ? now + wait : c.lockedUntil };
    };
    const out: [string, Counter][] = [
      [keys.pair, next(pair, PAIR_FREE, PAIR_BASE_MS, PAIR_CAP_MS)],
      [keys.account, next(account, ACCOUNT_FREE, ACCOUNT_BASE_MS, ACCOUNT_CAP_MS)],
      [keys.ip, next(addr, 0, 0, 0)],
    ];
    await q(
      `INSERT INTO login_attempts (key, window_start, failures, locked_until)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::bigint[])
       ON CONFLICT (key) DO UPDATE SET window_start = EXCLUDED.window_start, failures = EXCLUDED.failures, locked_until = EXCLUDED.locked_until`,
      [out.map((o) => o[0]), out.map((o) => o[1].windowStart), out.map((o) => o[1].failures), out.map((o) => o[1].lockedUntil)],
    );
    return d;
  });
  if (++sweepCountdown >= 200) {
    sweepCountdown = 0;
    // counters nobody has touched for two windows; cheap, and keeps a spray of random names from growing the table
    void getPool()
      .query(`DELETE FROM login_attempts WHERE GREATEST(window_start, locked_until) < $1`, [now - 2 * WINDOW_MS])
      .catch(() => {});
  }
  return r.allowed ? { allowed: true, keys } : { allowed: false, retryAfterS: Math.max(1, Math.ceil(r.retryAfterMs / 1000)) };
}

/** The password was right: the account's counters start over and the address's failure is taken back. */
export async function attemptSucceeded(keys: AttemptKeys): Promise<void> {
  await locked(keys, async (q) => {
    await q(`DELETE FROM login_attempts WHERE key = ANY($1)`, [[keys.pair, keys.account]]);
    await q(`UPDATE login_attempts SET failures = GREATEST(failures - 1, 0) WHERE key = $1`, [keys.ip]);
  });
}
