import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { closeDb, getPool } from "../db";
import { uniqueName } from "../testing/http";
import { createExperiment, fixtureTurns, seedConversation } from "../testing/sessions-seed";
import { getSession, listSessionFeedback, listSessions, listSessionTurns, type SessionSortKey } from "./sessions";
import { getUser, listUsers } from "./users";

let exp: string;
let pySession: string;
let otelSession: string;
const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);

before(async () => {
  const pool = getPool();
  exp = await createExperiment(pool, uniqueName("sessions-int"));
  pySession = uniqueName("py-session");
  otelSession = uniqueName("otel-session");
  await seedConversation(pool, { experimentId: exp, sessionId: pySession, userId: "alice", style: "python", turns: fixtureTurns(T0) });
  await seedConversation(pool, { experimentId: exp, sessionId: otelSession, userId: "bob", style: "otel", turns: fixtureTurns(T0 + 60_000, "otel: ") });
});

after(async () => {
  await closeDb();
});

test("a Python-style session (metadata mlflow.trace.session/user): turns, tokens, activity, errors", async () => {
  const s = await getSession(exp, pySession);
  assert.equal(s.turns, 3);
  assert.deepEqual(s.users, ["alice"]);
  assert.equal(s.inputTokens, 41 + 42 + 43);
  assert.equal(s.outputTokens, 11 + 12 + 13);
  assert.equal(s.totalTokens, 52 + 54 + 56);
  assert.equal(s.firstActivity, T0);
  assert.equal(s.lastActivity, T0 + 112 + 18);
  assert.equal(s.totalDuration, 54 + 39 + 18);
  assert.equal(s.errorTurns, 1, "turn 2 holds a failing tool span");
  assert.equal(s.cost, 0.0021);
  assert.equal(s.firstMessage, "What is MLflow Tracing?");
});

test("an OTel-style session (root span session.id/user.id) aggregates the same way", async () => {
  const s = await getSession(exp, otelSession);
  assert.equal(s.turns, 3);
  assert.deepEqual(s.users, ["bob"]);
  assert.equal(s.totalTokens, 162);
  assert.equal(s.firstActivity, T0 + 60_000);
  assert.equal(s.firstMessage, "otel: What is MLflow Tracing?");
});

test("turns read as a conversation, in time order, with tool calls and the failing tool marked", async () => {
  const page = await listSessionTurns(exp, pySession);
  assert.equal(page.nextPageToken, null);
  assert.deepEqual(
    page.items.map((t) => [t.index, t.turn.user, t.turn.assistant]),
    [
      [1, "What is MLflow Tracing?", "Answer 1 based on 2 documents."],
      [2, "How do I search the web for MLflow docs?", "Answer 2 based on 2 documents."],
      [3, "Summarize our conversation.", "Answer 3 based on 2 documents."],
    ],
  );
  const t2 = page.items[1];
  assert.deepEqual(t2.turn.toolCalls.map((c) => [c.name, c.error ?? null]), [["calculator", null], ["web_search", "ToolError: search backend unavailable"]]);
  assert.equal(t2.turn.toolCalls[0].result, '{"product":42}');
  assert.equal(t2.totalTokens, 54);
  assert.equal(t2.executionDuration, 39);
  assert.equal(t2.errorCount, 1);
});

test("a failed turn: state ERROR, the answer from nowhere, the error message from the root span", async () => {
  const sid = uniqueName("failed");
  await seedConversation(getPool(), {
    experimentId: exp,
    sessionId: sid,
    userId: "carol",
    style: "python",
    turns: [{ question: "Will this fail?", answer: "", startMs: T0 + 500_000, durationMs: 10, failed: true }],
  });
  const s = await getSession(exp, sid);
  assert.equal(s.errorTurns, 1);
  const [t] = (await listSessionTurns(exp, sid)).items;
  assert.equal(t.state, "ERROR");
  assert.equal(t.turn.user, "Will this fail?");
  assert.equal(t.turn.assistant, null);
  assert.equal(t.errorMessage, "AgentError: the model timed out");
});

test("turn pages: keyset pages cover a long session exactly once, in order", async () => {
  const sid = uniqueName("long");
  const turns = Array.from({ length: 23 }, (_, i) => ({ question: `q${i}`, answer: `a${i}`, startMs: T0 + 1_000_000 + (i >> 1) * 10, durationMs: 5 }));
  await seedConversation(getPool(), { experimentId: exp, sessionId: sid, userId: "dave", style: "python", turns });
  const seen: string[] = [];
  const indexes: number[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const p = await listSessionTurns(exp, sid, { pageSize: 5, pageToken: token });
    seen.push(...p.items.map((t) => t.turn.user!));
    indexes.push(...p.items.map((t) => t.index));
    token = p.nextPageToken ?? undefined;
    pages++;
  } while (token);
  assert.equal(pages, 5);
  assert.equal(seen.length, 23);
  assert.equal(new Set(seen).size, 23);
  assert.deepEqual(indexes, Array.from({ length: 23 }, (_, i) => i + 1));
  // same request_time pairs keep a stable order by trace id; all questions present
  assert.deepEqual([...seen].sort(), turns.map((t) => t.question).sort());
});

test("session list: keyset pagination by every sort key, both directions, no duplicates or gaps", async () => {
  const e = await createExperiment(getPool(), uniqueName("sessions-page"));
  for (let i = 0; i < 7; i++) {
    await seedConversation(getPool(), {
      experimentId: e,
      sessionId: `s-${i}`,
      userId: `u-${i % 3}`,
      style: i % 2 ? "otel" : "python",
      turns: Array.from({ length: 1 + (i % 4) }, (_, k) => ({ question: `s${i} q${k}`, answer: "a", startMs: T0 + i * 1000 + k, durationMs: 3 + i, inputTokens: i, outputTokens: 1, cost: i % 2 ? 0.5 : null, failed: i === 4 && k === 0 })),
    });
  }
  const sorts: SessionSortKey[] = ["session_id", "users", "turns", "first_activity", "last_activity", "duration", "tokens", "cost", "errors"];
  for (const sort of sorts) {
    for (const dir of ["asc", "desc"] as const) {
      const all: string[] = [];
      let token: string | undefined;
      do {
        const p = await listSessions({ experimentId: e, sort, dir, pageSize: 3, pageToken: token });
        all.push(...p.items.map((s) => s.sessionId));
        token = p.nextPageToken ?? undefined;
      } while (token);
      assert.equal(all.length, 7, `${sort} ${dir}`);
      assert.equal(new Set(all).size, 7, `${sort} ${dir}`);
    }
  }
  const byTurns = await listSessions({ experimentId: e, sort: "turns", dir: "desc", pageSize: 10 });
  assert.deepEqual(byTurns.items.map((s) => s.turns), [4, 3, 3, 2, 2, 1, 1]);
  const byLast = await listSessions({ experimentId: e, pageSize: 10 });
  assert.equal(byLast.items[0].sessionId, "s-6", "default: most recent activity first");

  // filters
  const ofU1 = await listSessions({ experimentId: e, userId: "u-1" });
  assert.deepEqual(ofU1.items.map((s) => s.sessionId).sort(), ["s-1", "s-4"]);
  const withErrors = await listSessions({ experimentId: e, hasErrors: true });
  assert.deepEqual(withErrors.items.map((s) => s.sessionId), ["s-4"]);
  const byId = await listSessions({ experimentId: e, search: "S-5" });
  assert.deepEqual(byId.items.map((s) => s.sessionId), ["s-5"]);
  const byContent = await listSessions({ experimentId: e, search: "s3 q2" });
  assert.deepEqual(byContent.items.map((s) => s.sessionId), ["s-3"]);
  const literal = await listSessions({ experimentId: e, search: "%" });
  assert.equal(literal.items.length, 0, "% is matched literally");
  const inRange = await listSessions({ experimentId: e, from: T0 + 2000, to: T0 + 3500 });
  assert.deepEqual(inRange.items.map((s) => s.sessionId).sort(), ["s-2", "s-3"]);

  // users of that experiment
  const users = await listUsers({ experimentId: e, sort: "user_id", dir: "asc" });
  assert.deepEqual(users.items.map((u) => [u.userId, u.sessions, u.traces]), [
    ["u-0", 3, 1 + 4 + 3], // s-0 (1 turn), s-3 (4), s-6 (3)
    ["u-1", 2, 2 + 1], // s-1 (2), s-4 (1)
    ["u-2", 2, 3 + 2], // s-2 (3), s-5 (2)
  ]);
  const bySessions = await listUsers({ experimentId: e, sort: "sessions", dir: "desc", pageSize: 1 });
  assert.equal(bySessions.items[0].userId, "u-0");
  const next = await listUsers({ experimentId: e, sort: "sessions", dir: "desc", pageSize: 1, pageToken: bySessions.nextPageToken! });
  assert.equal(next.items.length, 1);
  assert.notEqual(next.items[0].userId, "u-0");
  const u1 = await getUser(e, "u-1");
  assert.equal(u1.errorTurns, 1);
  assert.equal(u1.totalTokens, 1 * 2 + 1 * 2 + 4 * 1 + 1); // s-1: 2 turns × (1+1); s-4: 1 turn × (4+1)
  assert.equal((await listUsers({ experimentId: e, search: "U-2" })).items.length, 1);
});

test("summaries follow updates and deletes of traces", async () => {
  const pool = getPool();
  const sid = uniqueName("mut");
  const ids = await seedConversation(pool, { experimentId: exp, sessionId: sid, userId: "erin", style: "python", turns: fixtureTurns(T0 + 2_000_000) });
  // a late update: more tokens, the trace failed, a later end
  await pool.query("UPDATE traces SET total_tokens = total_tokens + 100, state = 'ERROR', execution_duration = 5000 WHERE trace_id = $1", [ids[2]]);
  let s = await getSession(exp, sid);
  assert.equal(s.totalTokens, 162 + 100);
  assert.equal(s.errorTurns, 2);
  assert.equal(s.lastActivity, T0 + 2_000_000 + 112 + 5000);
  // an update that touches no aggregated column changes nothing
  await pool.query("UPDATE traces SET tags = '{\"x\":\"y\"}' WHERE trace_id = ANY($1)", [ids]);
  assert.deepEqual(await getSession(exp, sid), s);
  // deleting the last turn: exact recount
  await pool.query("DELETE FROM traces WHERE trace_id = $1", [ids[2]]);
  s = await getSession(exp, sid);
  assert.equal(s.turns, 2);
  assert.equal(s.totalTokens, 52 + 54);
  assert.equal(s.lastActivity, T0 + 2_000_000 + 66 + 39);
  assert.equal(s.errorTurns, 1);
  // a turn moving to another session (and user)
  await pool.query("UPDATE traces SET session_id = $2, user_id = 'frank' WHERE trace_id = $1", [ids[1], sid + "-b"]);
  s = await getSession(exp, sid);
  assert.equal(s.turns, 1);
  assert.equal(s.errorTurns, 0);
  const b = await getSession(exp, sid + "-b");
  assert.deepEqual([b.turns, b.users], [1, ["frank"]]);
  assert.equal((await getUser(exp, "erin")).traces, 1);
  assert.equal((await getUser(exp, "frank")).traces, 1);
  // all gone
  await pool.query("DELETE FROM traces WHERE trace_id = ANY($1)", [ids]);
  await assert.rejects(getSession(exp, sid), /does not exist/);
  await assert.rejects(getUser(exp, "erin"), /no traces/);
});

test("a session shared by two users lists both, and each user's page finds it", async () => {
  const sid = uniqueName("shared");
  await seedConversation(getPool(), { experimentId: exp, sessionId: sid, userId: "gina", style: "python", turns: fixtureTurns(T0 + 3_000_000).slice(0, 2) });
  await seedConversation(getPool(), { experimentId: exp, sessionId: sid, userId: "hank", style: "otel", turns: fixtureTurns(T0 + 3_001_000).slice(2) });
  const s = await getSession(exp, sid);
  assert.deepEqual(s.users, ["gina", "hank"]);
  assert.equal(s.turns, 3);
  for (const u of ["gina", "hank"]) {
    const page = await listSessions({ experimentId: exp, userId: u });
    assert.deepEqual(page.items.map((x) => x.sessionId), [sid]);
    assert.equal((await getUser(exp, u)).sessions, 1);
  }
});

test("session feedback: valid assessments of the first trace tagged with the session id", async () => {
  const pool = getPool();
  const sid = uniqueName("fb");
  const ids = await seedConversation(pool, { experimentId: exp, sessionId: sid, userId: "ivy", style: "python", turns: fixtureTurns(T0 + 4_000_000) });
  const now = Date.now();
  const insert = (id: string, trace: string, metadata: object, valid = true) =>
    pool.query(
      `INSERT INTO assessments (assessment_id, trace_id, name, kind, value, source_type, source_id, rationale, metadata, valid, create_time, last_update_time)
       VALUES ($1, $2, 'session_quality', 'feedback', 'true', 'HUMAN', 'reviewer', 'Helpful throughout', $3, $4, $5, $5)`,
      [id, trace, JSON.stringify(metadata), valid, now],
    );
  await insert("a-" + sid, ids[0], { "mlflow.assessment.onlineScoringSessionId": sid });
  await insert("a-old-" + sid, ids[0], { "mlflow.assessment.onlineScoringSessionId": sid }, false);
  await insert("a-turn-" + sid, ids[1], {}); // a per-turn feedback is not session feedback
  const fb = await listSessionFeedback(exp, sid);
  assert.deepEqual(fb.map((f) => [f.assessmentId, f.value, f.rationale, f.traceId]), [["a-" + sid, true, "Helpful throughout", ids[0]]]);
});

test("errors: unknown experiment, unknown session, bad page token, bad sort", async () => {
  await assert.rejects(listSessions({ experimentId: "987654321" }), /does not exist/);
  await assert.rejects(listSessions({ experimentId: "abc" }), /does not exist/);
  await assert.rejects(getSession(exp, "no-such-session"), /does not exist/);
  await assert.rejects(listSessionTurns(exp, "no-such-session"), /does not exist/);
  await assert.rejects(listSessions({ experimentId: exp, pageToken: "garbage" }), /page_token/);
  await assert.rejects(listSessions({ experimentId: exp, sort: "nope" as SessionSortKey }), /Unknown sort/);
  const p = await listSessions({ experimentId: exp, pageSize: 1 });
  await assert.rejects(listSessions({ experimentId: exp, pageSize: 1, sort: "turns", pageToken: p.nextPageToken! }), /another sort/);
  await assert.rejects(listSessions({ experimentId: exp, pageSize: 0 }), /page size/);
});

// The summary triggers take shortcuts (a single-row insert path, a row-level mark that lets the statement
// trigger skip updates touching no summarized column); after any mix of statements the summaries must still
// equal a recount from the traces.
test("summaries equal a recount after a random mix of inserts, upserts, updates, moves and deletes", async () => {
  const pool = getPool();
  const e = await createExperiment(pool, uniqueName("summary-fuzz"));
  let seed = 20261125; // mulberry32
  const rnd = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
  const sessions = ["s-a", "s-b", "s-c", "s-d", null];
  const users = ["u-x", "u-y", "u-z", null];
  const live: string[] = [];
  let next = 0;
  const row = () => {
    const id = `fuzz-${e}-${next++}`;
    return [id, e, T0 + rnd(100_000), 10 + rnd(500), ["OK", "ERROR", "IN_PROGRESS"][rnd(3)], sessions[rnd(5)], users[rnd(4)], rnd(50), rnd(50), rnd(3) === 0 ? null : rnd(8) / 4, rnd(4) === 0 ? 1 : 0] as const;
  };
  // bulk: as inside the ingest function (flowtrace.summary_mode = 'statement': one aggregate per statement)
  const insertRows = async (rows: (readonly unknown[])[], onConflict: string, bulk = false) => {
    const values = rows.map((_, i) => `($${i * 11 + 1}, $${i * 11 + 2}::bigint, $${i * 11 + 3}::bigint, $${i * 11 + 4}::bigint, $${i * 11 + 5}, $${i * 11 + 6}, $${i * 11 + 7}, $${i * 11 + 8}::bigint, $${i * 11 + 9}::bigint, $${i * 11 + 10}::float8, $${i * 11 + 11}::int)`);
    const c = await pool.connect();
    try {
      await c.query("BEGIN");
      if (bulk) await c.query("SET LOCAL flowtrace.summary_mode = 'statement'");
      await c.query(
        `INSERT INTO traces AS t (trace_id, experiment_id, request_time, execution_duration, state, session_id, user_id, input_tokens, output_tokens, cost, error_count, total_tokens, updated_at)
         SELECT v.*, v.column8 + v.column9, 0 FROM (VALUES ${values.join(", ")}) v ${onConflict}`,
        rows.flat(),
      );
      await c.query("COMMIT");
    } finally {
      c.release();
    }
  };
  const cols = `turns, first_time, last_time, total_duration, input_tokens, output_tokens, total_tokens, round(cost::numeric, 6) AS cost, error_turns::int`;
  const exact = async (key: "session_id" | "user_id") =>
    (
      await pool.query(
        `SELECT ${key} AS k, count(*)::int AS turns, min(request_time) AS first_time, max(request_time + coalesce(execution_duration, 0)) AS last_time,
                coalesce(sum(execution_duration), 0) AS total_duration, coalesce(sum(input_tokens), 0) AS input_tokens,
                coalesce(sum(output_tokens), 0) AS output_tokens, coalesce(sum(total_tokens), 0) AS total_tokens, round(sum(cost)::numeric, 6) AS cost,
                count(*) FILTER (WHERE state = 'ERROR' OR error_count > 0)::int AS error_turns
                ${key === "session_id" ? ", coalesce(array_agg(DISTINCT user_id) FILTER (WHERE user_id IS NOT NULL), '{}') AS users" : ""}
           FROM traces WHERE experiment_id = $1 AND ${key} IS NOT NULL GROUP BY ${key} ORDER BY ${key}`,
        [e],
      )
    ).rows;
  const check = async (step: number) => {
    const sessionRows = (await pool.query(`SELECT session_id AS k, ${cols}, users FROM trace_sessions WHERE experiment_id = $1 AND turns > 0 ORDER BY session_id`, [e])).rows;
    const userRows = (await pool.query(`SELECT user_id AS k, traces AS turns, ${cols.replace("turns, ", "")} FROM trace_users WHERE experiment_id = $1 AND traces > 0 ORDER BY user_id`, [e])).rows;
    const where = `after step ${step}`;
    assert.deepEqual(sessionRows.map((r) => ({ ...r, turns: Number(r.turns) })), await exact("session_id"), where);
    assert.deepEqual(userRows.map((r) => ({ ...r, turns: Number(r.turns) })), await exact("user_id"), where);
    return sessionRows;
  };
  for (let step = 0; step < 300; step++) {
    const op = rnd(10);
    const pick = () => live[rnd(live.length)];
    if (op <= 2 || live.length < 3) {
      const rows = Array.from({ length: op === 0 ? 1 + rnd(6) : 1 }, row);
      await insertRows(rows, "", op === 0 && rnd(2) === 0);
      live.push(...rows.map((r) => r[0]));
    } else if (op === 3) {
      // StartTraceV3's upsert: an existing trace finalized with new figures, or a new one
      const r = [...row()] as unknown[];
      if (rnd(2) === 0) r[0] = pick();
      else live.push(r[0] as string);
      await insertRows([r], `ON CONFLICT (trace_id) DO UPDATE SET input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
        total_tokens = excluded.total_tokens, state = excluded.state, execution_duration = GREATEST(t.execution_duration, excluded.execution_duration)`);
    } else if (op === 4) {
      await pool.query(`UPDATE traces SET tags = tags || '{"k": "v"}', span_count = span_count + 1 WHERE trace_id = ANY($1)`, [[pick(), pick()]]);
    } else if (op === 5) {
      await pool.query(`UPDATE traces SET total_tokens = total_tokens + 7, execution_duration = execution_duration + 3, error_count = 1 - error_count WHERE trace_id = $1`, [pick()]);
    } else if (op === 6) {
      // one statement: one trace moves session/user, others change figures in place
      const ids = [pick(), pick(), pick()];
      await pool.query(
        `UPDATE traces SET session_id = CASE WHEN trace_id = $1 THEN $2 ELSE session_id END, user_id = CASE WHEN trace_id = $1 THEN $3 ELSE user_id END,
                input_tokens = input_tokens + 1, total_tokens = total_tokens + 1 WHERE trace_id = ANY($4)`,
        [ids[0], sessions[rnd(5)], users[rnd(4)], ids],
      );
    } else if (op === 7 && rnd(2) === 0) {
      // one summarized column alone
      const col = ["total_tokens = total_tokens + 1", "cost = coalesce(cost, 0) + 0.25", "output_tokens = output_tokens + 2", "state = 'ERROR'"][rnd(4)];
      await pool.query(`UPDATE traces SET ${col} WHERE trace_id = $1`, [pick()]);
    } else if (op === 7) {
      await pool.query(`UPDATE traces SET request_time = request_time + $2 WHERE trace_id = $1`, [pick(), rnd(2) === 0 ? 50 : -50]);
    } else {
      const id = pick();
      await pool.query(`DELETE FROM traces WHERE trace_id = $1`, [id]);
      live.splice(live.indexOf(id), 1);
    }
    await check(step);
  }
  const sessionRows = await check(300);
  assert.ok(live.length > 20, `the mix keeps traces alive (${live.length})`);
  assert.ok(sessionRows.length >= 4 && sessionRows.some((r) => Number(r.error_turns) > 0 && Number(r.error_turns) < r.turns) && sessionRows.some((r) => Number(r.cost) > 0), "the mix has errors and costs");
});
