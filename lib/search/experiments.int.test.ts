// searchExperiments against a real database: filters, view types, ordering, pages.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { closeDb, getPool } from "../db";
import { ApiError } from "../errors";
import { searchExperiments } from "./experiments";
import { createExperiment } from "../testing/search";

const uid = Math.random().toString(36).slice(2, 8);
const n = (s: string) => `exps-${uid}-${s}`;
const T = 1_900_000_000_000 + Math.floor(Math.random() * 1000) * 100;

before(async () => {
  const pool = getPool();
  await createExperiment(pool, n("agent-a"), { creationTime: T + 1, tags: { team: "nlp", "mlflow.note.content": "hello" } });
  await createExperiment(pool, n("agent-b"), { creationTime: T + 2, tags: { team: "vision" } });
  await createExperiment(pool, n("Agent-c"), { creationTime: T + 2 });
  await createExperiment(pool, n("old"), { creationTime: T + 3, lifecycleStage: "deleted", tags: { team: "nlp" } });
  for (let i = 0; i < 23; i++) await createExperiment(pool, n(`bulk-${String(i).padStart(2, "0")}`), { creationTime: T + 10 + (i % 4) });
});

after(() => closeDb());

const names = async (filter: string, extra: Parameters<typeof searchExperiments>[0] = {}) =>
  (await searchExperiments({ filter: `name LIKE '${n("")}%' AND (${filter || "creation_time > 0"})`, maxResults: 1000, ...extra })).rows.map((r) => r.name.replace(n(""), ""));

test("filters on name, times and tags", async () => {
  assert.deepEqual(await names(`name LIKE '%agent-%'`), ["agent-b", "agent-a"]);
  assert.deepEqual(await names(`name ILIKE '%agent-%'`), ["agent-b", "Agent-c", "agent-a"]);
  assert.deepEqual(await names(`name = '${n("agent-a")}'`), ["agent-a"]);
  assert.deepEqual(await names(`name != '${n("agent-a")}' AND creation_time < ${T + 10}`), ["agent-b", "Agent-c"]);
  assert.deepEqual(await names(`creation_time = ${T + 1}`), ["agent-a"]);
  assert.deepEqual(await names(`tags.team = 'nlp'`), ["agent-a"]);
  assert.deepEqual(await names(`tags.team != 'nlp'`), ["agent-b"]);
  assert.deepEqual(await names(`tags.team LIKE '%i%'`), ["agent-b"]);
  assert.deepEqual(await names("tags.`mlflow.note.content` ILIKE 'HELLO'"), ["agent-a"]);
  assert.deepEqual(await names(`tags."team" = 'nlp' OR tags.team = 'vision'`), ["agent-b", "agent-a"]);
});

test("view types", async () => {
  assert.deepEqual(await names(`tags.team = 'nlp'`, { viewType: "ALL" }), ["old", "agent-a"]);
  assert.deepEqual(await names(`tags.team = 'nlp'`, { viewType: "DELETED_ONLY" }), ["old"]);
  assert.deepEqual(await names(`tags.team = 'nlp'`, { viewType: "ACTIVE_ONLY" }), ["agent-a"]);
});

test("rows carry tags as a list", async () => {
  const { rows } = await searchExperiments({ filter: `name = '${n("agent-a")}'` });
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].tags, [
    { key: "mlflow.note.content", value: "hello" },
    { key: "team", value: "nlp" },
  ]);
  assert.equal(rows[0].creationTime, BigInt(T + 1));
  assert.equal(typeof rows[0].experimentId, "bigint");
  assert.equal(rows[0].artifactLocation, `mlflow-artifacts:/${rows[0].experimentId}`);
});

test("order_by and tie-breaker on experiment_id", async () => {
  const byName = await names(`creation_time < ${T + 10}`, { orderBy: ["name DESC"] });
  assert.deepEqual(byName, ["agent-b", "agent-a", "Agent-c"]);
  const rows = (await searchExperiments({ filter: `name LIKE '${n("")}%'`, orderBy: ["creation_time"] })).rows;
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    assert.ok(a.creationTime < b.creationTime || (a.creationTime === b.creationTime && a.experimentId < b.experimentId));
  }
});

test("pages cover everything exactly once", async () => {
  const filter = `name LIKE '${n("")}%'`;
  const all = (await searchExperiments({ filter })).rows.map((r) => r.experimentId);
  assert.equal(all.length, 26);
  for (const orderBy of [undefined, ["name"], ["last_update_time DESC"]]) {
    const seen: bigint[] = [];
    let token: string | undefined;
    do {
      const page = await searchExperiments({ filter, orderBy, maxResults: 4, pageToken: token });
      seen.push(...page.rows.map((r) => r.experimentId));
      token = page.nextPageToken;
    } while (token);
    assert.deepEqual([...seen].sort(), [...all].sort());
    assert.equal(new Set(seen).size, seen.length);
  }
});

test("errors", async () => {
  const bad = async (q: Parameters<typeof searchExperiments>[0], re: RegExp) =>
    assert.rejects(searchExperiments(q), (e: unknown) => e instanceof ApiError && e.code === "INVALID_PARAMETER_VALUE" && re.test(e.message));
  await bad({ maxResults: 0 }, /max_results/);
  await bad({ maxResults: 50_001 }, /between 1 and 50000/);
  await bad({ filter: "trace.status = 'OK'" }, /Invalid attribute key 'status'/);
  await bad({ filter: "name = 'a' AND" }, /at column 15/);
  await bad({ orderBy: ["tags.team"] }, /Invalid order_by key/);
  await bad({ viewType: "SOME" as never }, /view_type/);
  const first = await searchExperiments({ maxResults: 1 });
  await bad({ maxResults: 1, orderBy: ["name"], pageToken: first.nextPageToken }, /different filter/);
});
