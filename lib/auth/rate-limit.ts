// Failed sign-in counting in the database (login_attempts), so that every instance on one database
// enforces the same limit. Keys combine user and client address: an attacker elsewhere cannot lock a user
// out of their own machine, and one address cannot try many passwords.
import { getPool } from "../db";

export const WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_USER_AND_IP = 10;
export const MAX_FAILURES_PER_IP = 100;

export function attemptKeys(username: string, ip: string | undefined): { userIp: string; ip: string } {
  const addr = ip || "unknown";
  return { userIp: `user:${username.toLowerCase()}|ip:${addr}`, ip: `ip:${addr}` };
}

/** True when either key has used up its failures in the current window. */
export async function isRateLimited(username: string, ip: string | undefined, now = Date.now()): Promise<boolean> {
  const k = attemptKeys(username, ip);
  const { rows } = await getPool().query<{ key: string; failures: number }>(
    `SELECT key, failures FROM login_attempts WHERE key = ANY($1) AND window_start >= $2`,
    [[k.userIp, k.ip], now - WINDOW_MS],
  );
  return rows.some((r) => r.failures >= (r.key === k.ip ? MAX_FAILURES_PER_IP : MAX_FAILURES_PER_USER_AND_IP));
}

export async function recordFailure(username: string, ip: string | undefined, now = Date.now()): Promise<void> {
  const k = attemptKeys(username, ip);
  await getPool().query(
    `INSERT INTO login_attempts (key, window_start, failures) SELECT unnest($1::text[]), $2, 1
     ON CONFLICT (key) DO UPDATE SET
       failures = CASE WHEN login_attempts.window_start < $3 THEN 1 ELSE login_attempts.failures + 1 END,
       window_start = CASE WHEN login_attempts.window_start < $3 THEN $2 ELSE login_attempts.window_start END`,
    [[k.userIp, k.ip], now, now - WINDOW_MS],
  );
}

export async function clearFailures(username: string, ip: string | undefined): Promise<void> {
  await getPool().query(`DELETE FROM login_attempts WHERE key = $1`, [attemptKeys(username, ip).userIp]);
}
