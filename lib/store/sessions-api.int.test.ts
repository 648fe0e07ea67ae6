// The JSON endpoints of the Sessions and Users views, over HTTP against the running server.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { closeDb, getPool } from "../db";
import { http, uniqueName } from "../testing/http";
import { createExperiment, fixtureTurns, seedConversation } from "../testing/sessions-seed";

let exp: string;
const sid = uniqueName("api session/with spaces & 'quotes'");
const T0 = Date.now() - 3_600_000;

before(async () => {
  exp = await createExperiment(getPool(), uniqueName("sessions-api"));
  await seedConversation(getPool(), { experimentId: exp, sessionId: sid, userId: "user α", style: "python", turns: fixtureTurns(T0) });
  await seedConversation(getPool(), { experimentId: exp, sessionId: uniqueName("other"), userId: "user β", style: "otel", turns: fixtureTurns(T0 - 86_400_000 * 3).slice(0, 1) });
});

after(closeDb);

const base = () => `/api/ui/experiments/${exp}`;

test("GET …/sessions lists sessions with their aggregates; filters and sort come from the query string", async () => {
  const r = await http("GET", `${base()}/sessions`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 2);
  const s = r.json.items[0];
  assert.equal(s.sessionId, sid);
  assert.equal(s.turns, 3);
  assert.equal(s.totalTokens, 162);
  assert.deepEqual(s.users, ["user α"]);
  assert.equal(s.errorTurns, 1);
  assert.equal(s.firstMessage, "What is MLflow Tracing?");

  const byUser = await http("GET", `${base()}/sessions?user=${encodeURIComponent("user β")}`);
  assert.equal(byUser.json.items.length, 1);
  const recent = await http("GET", `${base()}/sessions?range=24h`);
  assert.deepEqual(recent.json.items.map((x: { sessionId: string }) => x.sessionId), [sid]);
  const errors = await http("GET", `${base()}/sessions?errors=0`);
  assert.equal(errors.json.items.length, 1);
  const search = await http("GET", `${base()}/sessions?q=${encodeURIComponent("summarize our")}`);
  assert.deepEqual(search.json.items.map((x: { sessionId: string }) => x.sessionId), [sid]);
  const paged = await http("GET", `${base()}/sessions?size=1&sort=turns&dir=asc`);
  assert.equal(paged.json.items[0].turns, 1);
  const next = await http("GET", `${base()}/sessions?size=1&sort=turns&dir=asc&page_token=${paged.json.nextPageToken}`);
  assert.equal(next.json.items[0].turns, 3);
  assert.equal(next.json.nextPageToken, null);
});

test("GET …/sessions/{id} and …/turns: ids with spaces, slashes and quotes round-trip", async () => {
  const r = await http("GET", `${base()}/sessions/${encodeURIComponent(sid)}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.session.sessionId, sid);
  assert.deepEqual(r.json.feedback, []);
  const t = await http("GET", `${base()}/sessions/${encodeURIComponent(sid)}/turns?size=2`);
  assert.equal(t.status, 200, t.text);
  assert.deepEqual(t.json.items.map((x: { turn: { user: string } }) => x.turn.user), ["What is MLflow Tracing?", "How do I search the web for MLflow docs?"]);
  const t2 = await http("GET", `${base()}/sessions/${encodeURIComponent(sid)}/turns?size=2&page_token=${t.json.nextPageToken}`);
  assert.deepEqual(t2.json.items.map((x: { index: number; turn: { assistant: string } }) => [x.index, x.turn.assistant]), [[3, "Answer 3 based on 2 documents."]]);
});

test("GET …/users and …/users/{id}", async () => {
  const r = await http("GET", `${base()}/users?sort=user_id&dir=asc`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((u: { userId: string; sessions: number; traces: number }) => [u.userId, u.sessions, u.traces]), [
    ["user α", 1, 3],
    ["user β", 1, 1],
  ]);
  const u = await http("GET", `${base()}/users/${encodeURIComponent("user α")}`);
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.totalTokens, 162);
  const search = await http("GET", `${base()}/users?q=${encodeURIComponent("β")}`);
  assert.equal(search.json.items.length, 1);
});

test("errors come back as {error_code, message} with MLflow's status", async () => {
  const missing = await http("GET", `${base()}/sessions/${encodeURIComponent("no such session")}`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  const badSort = await http("GET", `${base()}/sessions?sort=bogus`);
  assert.equal(badSort.status, 400);
  assert.equal(badSort.json.error_code, "INVALID_PARAMETER_VALUE");
  const badToken = await http("GET", `${base()}/users?page_token=xyz`);
  assert.equal(badToken.status, 400);
  const noExp = await http("GET", `/api/ui/experiments/999999999/sessions`);
  assert.equal(noExp.status, 404);
  const noUser = await http("GET", `${base()}/users/nobody`);
  assert.equal(noUser.status, 404);
});
