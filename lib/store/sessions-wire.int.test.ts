// Session aggregates of data sent for real: the recorded 3-turn sessions of the MLflow TypeScript SDK (b),
// plain OpenTelemetry over OTLP protobuf and JSON (c1, c2: session.id / user.id on the root span) and
// the MLflow Python client (p: metadata via StartTraceV3, spans via /v1/traces) replayed against the
// server; then the sessions list, the transcript and the users view read through the store.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { closeDb } from "../db";
import { closeTestDb, newExperiment, replayWire, uniqueName } from "../testing/mlflow";
import { getSession, listSessionFeedback, listSessions, listSessionTurns } from "./sessions";
import { getUser, listUsers } from "./users";

after(async () => {
  await closeTestDb();
  await closeDb();
});

const SESSION = "session-fixture-0001";
const USER = "user-fixture-0001";

async function checkSession(experimentId: string, opts: { errorTurns: number }): Promise<void> {
  const list = await listSessions({ experimentId });
  assert.deepEqual(
    list.items.map((s) => s.sessionId),
    [SESSION],
  );
  const s = await getSession(experimentId, SESSION);
  assert.equal(s.turns, 3);
  assert.deepEqual(s.users, [USER]);
  assert.equal(s.inputTokens, 41 + 42 + 43);
  assert.equal(s.outputTokens, 11 + 12 + 13);
  assert.equal(s.totalTokens, 52 + 54 + 56);
  assert.equal(s.errorTurns, opts.errorTurns);
  assert.ok(s.firstActivity! > 1_700_000_000_000 && s.lastActivity! > s.firstActivity!, `${s.firstActivity} → ${s.lastActivity}`);
  assert.equal(s.firstMessage, "What is MLflow Tracing?");

  const turns = await listSessionTurns(experimentId, SESSION);
  assert.deepEqual(
    turns.items.map((t) => [t.index, t.turn.user, t.turn.assistant?.replace(/ based on .*/, "")]),
    [
      [1, "What is MLflow Tracing?", "Answer 1"],
      [2, "How do I search the web for MLflow docs?", "Answer 2"],
      [3, "Summarize our conversation.", "Answer 3"],
    ],
  );
  assert.ok(turns.items.every((t) => t.turn.source === "root"), "read from the root spans");
  const t2 = turns.items[1];
  assert.deepEqual(t2.turn.toolCalls.map((c) => c.name).sort(), ["calculator", "web_search"]);
  assert.ok(t2.turn.toolCalls.find((c) => c.name === "web_search")?.error, "the failing web_search is marked");
  assert.equal(turns.items[0].turn.toolCalls.find((c) => c.name === "calculator")?.result, '{"product":42}');
  assert.deepEqual(
    turns.items.map((t) => t.totalTokens),
    [52, 54, 56],
  );

  const users = await listUsers({ experimentId });
  assert.deepEqual(
    users.items.map((u) => [u.userId, u.sessions, u.traces, u.totalTokens]),
    [[USER, 1, 3, 162]],
  );
}

test("MLflow TypeScript SDK (StartTraceV3 + traces.json + /v1/traces)", async () => {
  const exp = await newExperiment("sessions-wire-b");
  await replayWire("b-nested-spans-session.jsonl", exp);
  await checkSession(exp, { errorTurns: 1 });
});

test("plain OpenTelemetry, OTLP protobuf (session.id / user.id)", async () => {
  const exp = await newExperiment("sessions-wire-c1");
  await replayWire("c1-otel-otlp-proto.jsonl", exp);
  await checkSession(exp, { errorTurns: 1 });
});

test("plain OpenTelemetry, OTLP JSON", async () => {
  const exp = await newExperiment("sessions-wire-c2");
  await replayWire("c2-otel-otlp-json.jsonl", exp);
  await checkSession(exp, { errorTurns: 1 });
});

test("MLflow Python client (metadata mlflow.trace.session / mlflow.trace.user); its per-turn feedback is not session feedback", async () => {
  const r = await replayWire("p-python-client-session.jsonl", null, { experimentName: uniqueName("sessions-wire-p") });
  await checkSession(r.experimentId, { errorTurns: 1 });
  assert.deepEqual(await listSessionFeedback(r.experimentId, SESSION), []);
  assert.equal((await getUser(r.experimentId, USER)).errorTurns, 1);
});
