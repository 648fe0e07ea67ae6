// One transaction on a pooled connection: BEGIN, the work, COMMIT; ROLLBACK on any error, so a failed
// request leaves nothing half-written.
import type pg from "pg";
import { getPool } from "../db";

export type Db = pg.Pool | pg.PoolClient;

export async function withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === "23505";
