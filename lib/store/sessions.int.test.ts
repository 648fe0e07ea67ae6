import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { closeDb, getPool } from "../db";
import { uniqueName } from "../testing/http";
import { createExperiment, fixtureTurns, seedConversation } from "./sessions.seed";
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
