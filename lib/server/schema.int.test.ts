// Proves that the database built by our hand-checked SQL migrations is the database schema.prisma
// describes: Prisma's own SQL for the schema (generated offline by Prisma 6.19's WASM schema engine) is
// applied to one fresh database, our migrations to another, and their catalogs are compared.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import { databaseUrl, withClient } from "../testing/pg";
import { migrate } from "./migrate";
import { ROOT } from "./paths";

// Objects that Prisma's schema language cannot express (NULLS LAST indexes, GIN on arrays, triggers…). A
// migration that adds one names it in a comment block that starts with "Hand-written (not expressible in
// schema.prisma)"; only the indexes and extensions named there are allowed to differ.
function handWrittenNames(): Set<string> {
  const names = new Set<string>();
  const dir = path.join(ROOT, "prisma", "migrations");
  for (const m of readdirSync(dir, { withFileTypes: true })) {
    if (!m.isDirectory()) continue;
    const lines = readFileSync(path.join(dir, m.name, "migration.sql"), "utf8").split("\n");
    const start = lines.findIndex((l) => /^--.*Hand-written \(not expressible in schema\.prisma\)/.test(l));
    if (start < 0) continue;
    for (let i = start + 1; i < lines.length && lines[i].startsWith("--"); i++) {
      for (const w of lines[i].match(/[a-z_][a-z0-9_]*/g) ?? []) names.add(w);
    }
  }
  return names;
}

const base = process.env.DATABASE_URL!;
const names = [`ft_schema_a_${process.pid}`, `ft_schema_b_${process.pid}`];
const urlOf = (db: string) => databaseUrl(base, db);
const admin = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(base, fn);

before(async () => {
  await admin(async (c) => {
    for (const n of names) {
      await c.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${n}`);
    }
  });
});

after(async () => {
  await admin(async (c) => {
    for (const n of names) await c.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
  });
});

function prismaSchemaSql(): string {
  // Prisma 6 wants the URL in the datasource block; Prisma 7's schema must not have it.
  const tmp = mkdtempSync(path.join(os.tmpdir(), "ft-schema-"));
  const schema = readFileSync(path.join(ROOT, "prisma", "schema.prisma"), "utf8").replace(
    /provider\s*=\s*"postgresql"/,
    'provider = "postgresql"\n  url = env("DATABASE_URL")',
  );
  const file = path.join(tmp, "schema.prisma");
  writeFileSync(file, schema);
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules", "prisma6", "build", "index.js"), "migrate", "diff", "--config", "scripts/prisma6.config.ts", "--from-empty", "--to-schema-datamodel", file, "--script"],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, DATABASE_URL: base, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true", PRISMA_QUERY_ENGINE_LIBRARY: "/bin/true", CHECKPOINT_DISABLE: "1" } },
  );
  rmSync(tmp, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// the migrator's own tables: its record of migrations and of function files applied
const BOOKKEEPING = "'_prisma_migrations', '_flowtrace_functions'";

async function catalog(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const cols = await c.query(`
      SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') AS def
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN (${BOOKKEEPING})`);
    const idx = await c.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT IN (${BOOKKEEPING})`);
    const cons = await c.query(`
      SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT IN (${BOOKKEEPING}, '"_prisma_migrations"', '"_flowtrace_functions"')`);
    const ext = await c.query(`SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'`);
    return [
      ...cols.rows.map((r) => `column:${r.table_name}.${r.column_name} ${r.data_type} ${r.is_nullable === "YES" ? "NULL" : "NOT NULL"} default(${r.def})`),
      ...idx.rows.map((r) => `index:${r.indexname} ${r.indexdef}`),
      ...cons.rows.map((r) => `constraint:${r.tbl}.${r.conname} ${r.def}`),
      ...ext.rows.map((r) => `extension:${r.extname}`),
    ].sort();
  } finally {
    await c.end();
  }
}

test("the migrated database matches schema.prisma", async () => {
  const sql = prismaSchemaSql();
  const fromSchema = new pg.Client({ connectionString: urlOf(names[0]) });
  await fromSchema.connect();
  await fromSchema.query(sql);
  await fromSchema.end();
  await migrate(urlOf(names[1]), path.join(ROOT, "prisma", "migrations"));

  const expected = await catalog(urlOf(names[0]));
  const allowed = handWrittenNames();
  const isAllowed = (l: string) => /^(index|extension):([a-z0-9_]+)/.test(l) && allowed.has(/^(?:index|extension):([a-z0-9_]+)/.exec(l)![1]);
  const actual = (await catalog(urlOf(names[1]))).filter((l) => !isAllowed(l));
  const missing = expected.filter((l) => !actual.includes(l));
  const extra = actual.filter((l) => !expected.includes(l));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, "migrations and schema.prisma disagree: add a migration");
  assert.ok(expected.some((l) => l.startsWith("column:spans.start_time_ns bigint")), "sanity: the catalog was read");
});

test("migrations are recorded in _prisma_migrations and re-running applies nothing", async () => {
  const again = await migrate(urlOf(names[1]), path.join(ROOT, "prisma", "migrations"));
  assert.deepEqual(again.applied, []);
  assert.ok(again.alreadyApplied >= 1);
  const c = new pg.Client({ connectionString: urlOf(names[1]) });
  await c.connect();
  const { rows } = await c.query(`SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name`);
  await c.end();
  assert.equal(rows.length, again.alreadyApplied);
  for (const r of rows) {
    assert.match(r.checksum, /^[0-9a-f]{64}$/);
    assert.ok(r.finished_at);
  }
});
