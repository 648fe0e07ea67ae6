// Server-wide generated values shared by every instance on one database (server_settings).
import { randomBytes } from "node:crypto";
import { getPool } from "../db";

/** Returns the stored value, creating it with `make()` if absent (first writer wins across instances). */
export async function getOrCreateSetting(key: string, make: () => string): Promise<string> {
  const pool = getPool();
  await pool.query(`INSERT INTO server_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, make()]);
  const { rows } = await pool.query<{ value: string }>(`SELECT value FROM server_settings WHERE key = $1`, [key]);
  return rows[0].value;
}

export async function deleteSetting(key: string): Promise<void> {
  await getPool().query(`DELETE FROM server_settings WHERE key = $1`, [key]);
}

export async function getSetting(key: string): Promise<string | undefined> {
  const { rows } = await getPool().query<{ value: string }>(`SELECT value FROM server_settings WHERE key = $1`, [key]);
  return rows[0]?.value;
}

/** NEXTAUTH_SECRET from the environment, else one generated once and kept in the database. */
export async function ensureSessionSecret(): Promise<string> {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  const secret = await getOrCreateSetting("nextauth_secret", () => randomBytes(32).toString("base64url"));
  process.env.NEXTAUTH_SECRET = secret;
  return secret;
}
