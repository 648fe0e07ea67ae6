// /api/ui/prices with --auth: every signed-in user reads and looks up prices, only admins change them,
// changes are audited, bad input gets the one error envelope. Without --auth everyone may change them.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { basic, call, openAuthTestbed, type AuthTestbed } from "../testing/auth";
import { http, uniqueName } from "../testing/http";

let tb: AuthTestbed;
before(async () => {
  tb = await openAuthTestbed();
});
after(() => tb?.close());

const model = () => "cost2-api-" + randomBytes(4).toString("hex");

test("with --auth: users read and look up, admins add/edit/delete (audited), anonymous callers are refused", async () => {
  const username = uniqueName("prices-user");
  assert.equal((await call(tb.srv.url, "POST", "/api/auth/users", { username, password: `pw-${username}` }, tb.admin)).status, 201);
  const user = basic(username, `pw-${username}`);
  const m = model();
  const entry = { model: m + "*", input_per_mtok: 1.5, output_per_mtok: 6 };

  assert.equal((await call(tb.srv.url, "GET", "/api/ui/prices")).status, 401);
  assert.equal((await call(tb.srv.url, "POST", "/api/ui/prices", entry, user)).status, 403);

  const created = await call(tb.srv.url, "POST", "/api/ui/prices", entry, tb.admin);
  assert.equal(created.status, 201, created.text);
  const id = created.json.override.id;
  assert.equal(created.json.override.updated_by, tb.srv.admin.username);

  const list = await call(tb.srv.url, "GET", "/api/ui/prices", undefined, user);
  assert.equal(list.status, 200);
  assert.ok(list.json.overrides.some((o: { id: string }) => o.id === id));

  const look = await call(tb.srv.url, "GET", `/api/ui/prices/lookup?model=${m}-v2`, undefined, user);
  assert.equal(look.status, 200, look.text);
  assert.deepEqual(look.json.match, { source: "override", entry: m + "*", input_per_mtok: 1.5, output_per_mtok: 6 });
  const table = await call(tb.srv.url, "GET", `/api/ui/prices/lookup?model=gpt-4o-mini&provider=openai`, undefined, user);
  assert.match(table.json.match.source, /^genai-prices@/);
  assert.equal(table.json.match.entry, "openai/gpt-4o-mini");

  assert.equal((await call(tb.srv.url, "PUT", `/api/ui/prices/${id}`, { ...entry, output_per_mtok: 7 }, user)).status, 403);
  const edited = await call(tb.srv.url, "PUT", `/api/ui/prices/${id}`, { ...entry, output_per_mtok: 7 }, tb.admin);
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.json.override.output_per_mtok, 7);

  assert.equal((await call(tb.srv.url, "DELETE", `/api/ui/prices/${id}`, undefined, user)).status, 403);
  assert.equal((await call(tb.srv.url, "DELETE", `/api/ui/prices/${id}`, undefined, tb.admin)).status, 200);
  const gone = await call(tb.srv.url, "DELETE", `/api/ui/prices/${id}`, undefined, tb.admin);
  assert.equal(gone.status, 404);
  assert.equal(gone.json.error_code, "RESOURCE_DOES_NOT_EXIST");

  // re-pricing: everyone sees the progress, admins start it
  assert.equal((await call(tb.srv.url, "POST", "/api/ui/prices/reprice", undefined, user)).status, 403);
  const started = await call(tb.srv.url, "POST", "/api/ui/prices/reprice", undefined, tb.admin);
  assert.equal(started.status, 202, started.text);
  assert.equal(started.json.job.startedBy, tb.srv.admin.username);
  const progress = await call(tb.srv.url, "GET", "/api/ui/prices/reprice", undefined, user);
  assert.equal(progress.status, 200, progress.text);
  assert.equal(progress.json.job.startedAt, started.json.job.startedAt);
  assert.equal((await tb.db.query(`SELECT 1 FROM audit_events WHERE action = 'price.reprice' AND actor = $1`, [tb.srv.admin.username])).rowCount, 1);

  const audited = await tb.db.query(`SELECT action FROM audit_events WHERE action LIKE 'price.%' AND (target = $1 OR target = $2) ORDER BY id`, [m + "*", id]);
  assert.deepEqual(audited.rows.map((r) => r.action), ["price.create", "price.update", "price.delete"]);
});

test("bad input is a 400 in the one error envelope, naming the field", async () => {
  const bad = await call(tb.srv.url, "POST", "/api/ui/prices", { model: model(), input_per_mtok: -1, output_per_mtok: 1 }, tb.admin);
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json.error_code, "INVALID_PARAMETER_VALUE");
  assert.match(bad.json.message, /input_per_mtok/);
  const extra = await call(tb.srv.url, "POST", "/api/ui/prices", { model: model(), input_per_mtok: 1, output_per_mtok: 1, currency: "EUR" }, tb.admin);
  assert.equal(extra.status, 400, extra.text);
  const noModel = await call(tb.srv.url, "GET", "/api/ui/prices/lookup", undefined, tb.admin);
  assert.equal(noModel.status, 400, noModel.text);
});

test("without --auth everyone may change prices", async () => {
  const r = await http("POST", "/api/ui/prices", JSON.stringify({ model: model(), input_per_mtok: 1, output_per_mtok: 1 }), { "content-type": "application/json", "x-flowtrace-csrf": "1" });
  assert.equal(r.status, 201, r.text);
  const d = await http("DELETE", `/api/ui/prices/${JSON.parse(r.text).override.id}`, undefined, { "x-flowtrace-csrf": "1" });
  assert.equal(d.status, 200, d.text);
});
