// An existing user's database upgrades without loss: a database migrated by the migrator as it was before the
// repeatable function step (migrations only, the ones of December 7th), holding data, is migrated by today's
// migrator; its rows, its session summaries and the behaviour of its triggers and functions are intact, and
// a second run applies nothing.
import assert from "node:assert/strict";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import { databaseUrl, withClient } from "../testing/pg";
import { listFunctions, migrate } from "./migrate";
import { ROOT } from "./paths";

const LAST_OLD_MIGRATION = "20261207231000_login_backoff";
const MIGRATIONS = path.join(ROOT, "prisma", "migrations");
const db = `ft_upgrade_${process.pid}`;
const base = process.env.DATABASE_URL!;
const url = databaseUrl(base, db);
const tmp = mkdtempSync(path.join(os.tmpdir(), "ft-upgrade-"));

before(async () => {
  await withClient(base, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${db}`);
  });
});

after(async () => {
  await withClient(base, (c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
  rmSync(tmp, { recursive: true, force: true });
});

const summary = (c: pg.Client) =>
  c.query(`SELECT session_id, turns::int, input_tokens::int, users FROM trace_sessions WHERE experiment_id = 7 ORDER BY session_id`).then((r) => r.rows);

test("a database migrated and filled before the function files upgrades with its data and behaviour intact", async () => {
  // yesterday's migrator: the migrations up to LAST_OLD_MIGRATION, no function files
  const oldDir = path.join(tmp, "migrations");
  for (const m of readdirSync(MIGRATIONS, { withFileTypes: true })) {
    if (m.isDirectory() && m.name <= LAST_OLD_MIGRATION) cpSync(path.join(MIGRATIONS, m.name), path.join(oldDir, m.name), { recursive: true });
  }
  const first = await migrate(url, oldDir, path.join(tmp, "no-functions"));
  assert.ok(first.applied.includes(LAST_OLD_MIGRATION));
  assert.deepEqual(first.functions, []);

  await withClient(url, async (c) => {
    await c.query(`INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                   VALUES (7, 'upgrade', 'mlflow-artifacts:/7', 'active', 1, 1)`);
    // spans and trace rows through the ingest function as it was (one trace, two spans, a session and a user)
    await c.query(
      `SELECT flowtrace_ingest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
         $9::text[], $10::text[], $11::jsonb[], $12::text[], $13::text[], $14::jsonb[],
         $15::text[], $16::bigint[], $17::bigint[], $18::bigint[], $19::text[], $20::text[], $21::text[], $22::text[], $23::jsonb[],
         $24::jsonb[], $25::int[], $26::int[], $27::int[], $28::numeric[], $29::numeric[], $30::numeric[], $31::int[],
         $32::numeric[], $33::numeric[], $34::numeric[], $35)`,
      [
        ["tr-a", "tr-a"], ["s1", "s2"], [null, "s1"], [7, 7], ["root", "llm"], ["CHAIN", "LLM"], [1_000_000, 2_000_000], [9_000_000, 8_000_000],
        ["OK", "OK"], [null, null], ["{}", `{"mlflow.chat.tokenUsage": {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}}`],
        ['"hi"', null], ['"ho"', null], ["[]", "[]"],
        ["tr-a"], [7], [1], [9], ["OK"], ["s1"], ["hi"], ["ho"], [`{"mlflow.trace.session": "chat-1", "mlflow.trace.user": "ann"}`],
        [`{"mlflow.traceName": "root"}`], [2], [0], [1], [5], [2], [7], [0], [null], [null], [null], 100,
      ],
    );
  });
  const before = await withClient(url, async (c) => ({
    traces: (await c.query(`SELECT * FROM traces ORDER BY trace_id`)).rows,
    spans: (await c.query(`SELECT * FROM spans ORDER BY trace_id, span_id`)).rows,
    sessions: await summary(c),
  }));
  assert.deepEqual(before.sessions, [{ session_id: "chat-1", turns: 1, input_tokens: 5, users: ["ann"] }]);

  // today's migrator: the migrations added since, then every function file (none was recorded)
  const upgrade = await migrate(url, MIGRATIONS);
  assert.deepEqual(upgrade.functions, (await listFunctions(path.join(ROOT, "prisma", "functions"))).map((f) => f.name));
  assert.ok(upgrade.functions.length > 0);

  await withClient(url, async (c) => {
    const traces = (await c.query(`SELECT * FROM traces ORDER BY trace_id`)).rows;
    // a column added since then starts out NULL; every other value is as it was
    for (const t of traces) for (const k of Object.keys(t)) if (!(k in before.traces[0])) assert.equal(t[k], null, k);
    assert.deepEqual(traces.map((t) => Object.fromEntries(Object.keys(before.traces[0]).map((k) => [k, t[k]]))), before.traces);
    assert.deepEqual((await c.query(`SELECT * FROM spans ORDER BY trace_id, span_id`)).rows, before.spans);
    assert.deepEqual(await summary(c), before.sessions);

    // the triggers still keep the summaries: a second turn in the session, then the first one deleted
    await c.query(`INSERT INTO traces (trace_id, experiment_id, request_time, execution_duration, state, session_id, user_id, input_tokens,
                     trace_metadata, updated_at)
                   VALUES ('tr-b', 7, 20, 5, 'OK', 'chat-1', 'bob', 3, '{"mlflow.trace.session": "chat-1", "mlflow.trace.user": "bob"}', 100)`);
    assert.deepEqual(await summary(c), [{ session_id: "chat-1", turns: 2, input_tokens: 8, users: ["ann", "bob"] }]);
    await c.query(`DELETE FROM traces WHERE trace_id = 'tr-a'`);
    assert.deepEqual(await summary(c), [{ session_id: "chat-1", turns: 1, input_tokens: 3, users: ["bob"] }]);
    // the ingest function as it is now writes into a trace stored before the upgrade (its model included)
    await c.query(
      `SELECT flowtrace_ingest(${Array.from({ length: 38 }, (_, i) => `$${i + 1}`).join(", ")})`,
      [
        ["tr-b"], ["s9"], [null], [7], ["llm"], ["LLM"], [20_000_000], [25_000_000], ["OK"], [null], [`{"mlflow.llm.model": "m-up"}`], [null], [null], ["[]"],
        ["tr-b"], [7], [20], [25], ["IN_PROGRESS"], [null], [null], [null], ["{}"], ["{}"], [1], [0], [0], [null], [null], [null], [0], [null], [null], [null], ["m-up"], [null], [null], 200,
      ],
    );
    const b = (await c.query(`SELECT span_count, model, session_id FROM traces WHERE trace_id = 'tr-b'`)).rows[0];
    assert.deepEqual(b, { span_count: 1, model: "m-up", session_id: "chat-1" });
    // and the functions answer: an experiment check that fails as it did
    await assert.rejects(c.query(`SELECT flowtrace_check_experiments(ARRAY[99]::bigint[])`), /experiment does not exist/);

    const recorded = (await c.query(`SELECT name, checksum FROM _flowtrace_functions ORDER BY name`)).rows;
    assert.equal(recorded.length, upgrade.functions.length);
  });

  const again = await migrate(url, MIGRATIONS);
  assert.deepEqual({ applied: again.applied, functions: again.functions }, { applied: [], functions: [] });
});

test("a changed function file is applied again, and only that one", async () => {
  const dir = path.join(tmp, "functions");
  cpSync(path.join(ROOT, "prisma", "functions"), dir, { recursive: true });
  const file = "flowtrace_lock_traces.sql";
  appendFileSync(path.join(dir, file), "\n-- a change\n");
  const r = await migrate(url, MIGRATIONS, dir);
  assert.deepEqual(r.functions, [file]);
  // a file that fails leaves everything as it was (one transaction), and says which file
  appendFileSync(path.join(dir, file), "\nSELECT no_such_function();\n");
  appendFileSync(path.join(dir, "flowtrace_check_experiments.sql"), "\n-- changed too\n");
  await assert.rejects(migrate(url, MIGRATIONS, dir), /function file flowtrace_lock_traces\.sql failed/);
  const r2 = await migrate(url, MIGRATIONS);
  assert.deepEqual(r2.functions, [file]);
});
