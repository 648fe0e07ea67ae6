// Direct PostgreSQL access for tests that make databases of their own (migrations, schema comparison).
import pg from "pg";

/** The URL of database `db` on the server of `base`. */
export function databaseUrl(base: string, db: string): string {
  const u = new URL(base);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Runs `fn` on a fresh connection, closed afterwards whatever happens. */
export async function withClient<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
