// Experiments API over HTTP against the test server (spec §2), including the exact set_experiment
// sequence of the Python client (§2.3) and the transport rules of §1.
import assert from "node:assert/strict";
import { test } from "node:test";
import { baseUrl, http, uniqueName } from "../testing/http";

test("set_experiment sequence: get-by-name 404 → create → get", async () => {
  const name = uniqueName("bot");
  const miss = await http("GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
  assert.equal(miss.status, 404);
  assert.equal(miss.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  assert.equal(miss.json.message, `Could not find experiment with name '${name}'`);
  assert.match(miss.headers.get("content-type") ?? "", /application\/json/);

  const created = await http("POST", "/api/2.0/mlflow/experiments/create", { name });
  assert.equal(created.status, 200);
  assert.equal(typeof created.json.experiment_id, "string");
  assert.match(created.json.experiment_id, /^\d+$/);
  const id = created.json.experiment_id;

  const got = await http("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${id}`);
  assert.equal(got.status, 200);
  const e = got.json.experiment;
  assert.equal(e.experiment_id, id);
  assert.equal(e.name, name);
  assert.equal(e.artifact_location, `mlflow-artifacts:/${id}`);
  assert.equal(e.lifecycle_stage, "active");
  assert.equal(typeof e.creation_time, "number");
  assert.ok(Math.abs(e.creation_time - Date.now()) < 60_000);
  assert.equal(e.last_update_time, e.creation_time);
  assert.deepEqual(e.tags, []);

  const byName = await http("GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
  assert.equal(byName.status, 200);
  assert.equal(byName.json.experiment.experiment_id, id);
});

test("create with tags as a list and as a map (TS SDK); duplicate names, also deleted ones, are refused", async () => {
  const a = uniqueName("tags-list");
  const r1 = await http("POST", "/api/2.0/mlflow/experiments/create", { name: a, tags: [{ key: "team", value: "nlp" }, { key: "x", value: "1" }] });
  assert.equal(r1.status, 200);
  const g1 = await http("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${r1.json.experiment_id}`);
  assert.deepEqual(g1.json.experiment.tags, [{ key: "team", value: "nlp" }, { key: "x", value: "1" }]);

  const b = uniqueName("tags-map");
  const r2 = await http("POST", "/api/2.0/mlflow/experiments/create", { name: b, tags: { owner: "ts-sdk" } });
  assert.equal(r2.status, 200);
  const g2 = await http("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${r2.json.experiment_id}`);
  assert.deepEqual(g2.json.experiment.tags, [{ key: "owner", value: "ts-sdk" }]);

  const dup = await http("POST", "/api/2.0/mlflow/experiments/create", { name: a });
  assert.equal(dup.status, 400);
  assert.equal(dup.json.error_code, "RESOURCE_ALREADY_EXISTS");

  assert.equal((await http("POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: r2.json.experiment_id })).status, 200);
  const dupDeleted = await http("POST", "/api/2.0/mlflow/experiments/create", { name: b });
  assert.equal(dupDeleted.status, 400);
  assert.equal(dupDeleted.json.error_code, "RESOURCE_ALREADY_EXISTS");
});

test("update (rename), delete, restore, set and delete tag", async () => {
  const name = uniqueName("life");
  const id = (await http("POST", "/api/2.0/mlflow/experiments/create", { name })).json.experiment_id;
  const other = uniqueName("other");
  await http("POST", "/api/2.0/mlflow/experiments/create", { name: other });

  const renamed = name + "-renamed";
  const up = await http("POST", "/api/2.0/mlflow/experiments/update", { experiment_id: id, new_name: renamed });
  assert.equal(up.status, 200);
  assert.deepEqual(up.json, {});
  assert.equal((await http("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${id}`)).json.experiment.name, renamed);
  const taken = await http("POST", "/api/2.0/mlflow/experiments/update", { experiment_id: id, new_name: other });
  assert.equal(taken.json.error_code, "RESOURCE_ALREADY_EXISTS");

  assert.deepEqual((await http("POST", "/api/2.0/mlflow/experiments/set-experiment-tag", { experiment_id: id, key: "mlflow.note.content", value: "hello" })).json, {});
  assert.deepEqual((await http("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${id}`)).json.experiment.tags, [{ key: "mlflow.note.content", value: "hello" }]);
  assert.deepEqual((await http("POST", "/api/2.0/mlflow/experiments/delete-experiment-tag", { experiment_id: id, key: "mlflow.note.content" })).json, {});
  assert.deepEqual((await http("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${id}`)).json.experiment.tags, []);
  const noTag = await http("POST", "/api/2.0/mlflow/experiments/delete-experiment-tag", { experiment_id: id, key: "nope" });
  assert.equal(noTag.status, 404);

  assert.equal((await http("POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: id })).status, 200);
  const deleted = await http("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${id}`);
  assert.equal(deleted.status, 200, "deleted experiments are still returned by get");
  assert.equal(deleted.json.experiment.lifecycle_stage, "deleted");
  assert.equal((await http("GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(renamed)}`)).json.experiment.lifecycle_stage, "deleted");

  assert.equal((await http("POST", "/api/2.0/mlflow/experiments/restore", { experiment_id: id })).status, 200);
  assert.equal((await http("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${id}`)).json.experiment.lifecycle_stage, "active");

  const missing = await http("POST", "/api/2.0/mlflow/experiments/restore", { experiment_id: "987654321" });
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error_code, "RESOURCE_DOES_NOT_EXIST");
});

test("the default experiment 0 exists and cannot be deleted", async () => {
  const g = await http("GET", "/api/2.0/mlflow/experiments/get?experiment_id=0");
  assert.equal(g.status, 200);
  assert.equal(g.json.experiment.name, "Default");
  assert.equal(g.json.experiment.artifact_location, "mlflow-artifacts:/0");
  const d = await http("POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: "0" });
  assert.equal(d.status, 400);
  assert.equal(d.json.error_code, "INVALID_PARAMETER_VALUE");
  assert.equal((await http("GET", "/api/2.0/mlflow/experiments/get?experiment_id=0")).json.experiment.lifecycle_stage, "active");
});

test("validation names the parameter; bad JSON and empty bodies", async () => {
  const noName = await http("POST", "/api/2.0/mlflow/experiments/create", {});
  assert.equal(noName.status, 400);
  assert.equal(noName.json.error_code, "INVALID_PARAMETER_VALUE");
  assert.equal(noName.json.message, "Missing value for required parameter 'name'. See the API docs for more information about request parameters.");

  const empty = await http("POST", "/api/2.0/mlflow/experiments/create", "", { "content-type": "application/json" });
  assert.equal(empty.status, 400);
  assert.match(empty.json.message, /'name'/);

  const wrongType = await http("POST", "/api/2.0/mlflow/experiments/create", { name: 42 });
  assert.equal(wrongType.status, 400);
  assert.match(wrongType.json.message, /parameter 'name'/);

  const bad = await http("POST", "/api/2.0/mlflow/experiments/create", '{"name": "x",', { "content-type": "application/json" });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error_code, "INVALID_PARAMETER_VALUE");
  assert.match(bad.json.message, /Malformed JSON/);

  const notObject = await http("POST", "/api/2.0/mlflow/experiments/create", "[1,2]", { "content-type": "application/json" });
  assert.equal(notObject.status, 400);

  const missingGet = await http("GET", "/api/2.0/mlflow/experiments/get");
  assert.equal(missingGet.status, 400);
  assert.match(missingGet.json.message, /'experiment_id'/);

  const nonNumeric = await http("GET", "/api/2.0/mlflow/experiments/get?experiment_id=abc");
  assert.equal(nonNumeric.status, 404);
  assert.equal(nonNumeric.json.error_code, "RESOURCE_DOES_NOT_EXIST");
});

test("double-encoded JSON bodies (old clients) are decoded again", async () => {
  const name = uniqueName("double");
  const r = await http("POST", "/api/2.0/mlflow/experiments/create", JSON.stringify(JSON.stringify({ name })), { "content-type": "application/json" });
  assert.equal(r.status, 200, r.text);
  assert.equal((await http("GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`)).status, 200);
});

test("unknown endpoints answer ENDPOINT_NOT_FOUND, also under /ajax-api", async () => {
  for (const path of ["/api/2.0/mlflow/nope", "/api/9.0/whatever/x", "/ajax-api/2.0/mlflow/nope", "/api/2.0/mlflow/experiments/get/extra"]) {
    const r = await http("GET", path);
    assert.equal(r.status, 404, path);
    assert.equal(r.json.error_code, "ENDPOINT_NOT_FOUND", path);
  }
  const wrongMethod = await http("DELETE", "/api/2.0/mlflow/experiments/create");
  assert.equal(wrongMethod.json.error_code, "ENDPOINT_NOT_FOUND");
});

test("/ajax-api serves the same handlers", async () => {
  const name = uniqueName("ajax");
  const c = await http("POST", "/ajax-api/2.0/mlflow/experiments/create", { name });
  assert.equal(c.status, 200);
  const g = await http("GET", `/ajax-api/2.0/mlflow/experiments/get?experiment_id=${c.json.experiment_id}`);
  assert.equal(g.json.experiment.name, name);
});

test("bodies over the limit get 413 RESOURCE_EXHAUSTED before being read", async () => {
  const big = Buffer.alloc(33 * 1024 * 1024, 0x20);
  const r = await fetch(baseUrl() + "/api/2.0/mlflow/experiments/create", { method: "POST", body: big, headers: { "content-type": "application/json" } }).catch((e: Error) => e);
  if (r instanceof Error) {
    assert.fail(`request failed: ${r.message}`);
  }
  assert.equal(r.status, 413);
  const body = await r.json();
  assert.equal(body.error_code, "RESOURCE_EXHAUSTED");
  assert.match(body.message, /limit/);
});

test("experiments search, GET and POST, with pages", async () => {
  const prefix = `exsearch-${Date.now().toString(36)}`;
  for (const n of ["a", "b", "c"]) await http("POST", "/api/2.0/mlflow/experiments/create", { name: `${prefix}-${n}`, tags: [{ key: "grp", value: prefix }] });
  const post = await http("POST", "/api/2.0/mlflow/experiments/search", { filter: `name LIKE '${prefix}-%'`, order_by: ["name DESC"], max_results: 2 });
  assert.equal(post.status, 200, post.text);
  assert.deepEqual(post.json.experiments.map((e: any) => e.name), [`${prefix}-c`, `${prefix}-b`]);
  assert.equal(typeof post.json.experiments[0].experiment_id, "string");
  assert.match(post.json.experiments[0].artifact_location, /^mlflow-artifacts:\/\d+$/);
  assert.deepEqual(post.json.experiments[0].tags, [{ key: "grp", value: prefix }]);
  assert.ok(post.json.next_page_token);
  const next = await http("POST", "/api/2.0/mlflow/experiments/search", { filter: `name LIKE '${prefix}-%'`, order_by: ["name DESC"], max_results: 2, page_token: post.json.next_page_token });
  assert.deepEqual(next.json.experiments.map((e: any) => e.name), [`${prefix}-a`]);
  assert.equal(next.json.next_page_token, undefined);
  await http("POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: post.json.experiments[0].experiment_id });
  const active = await http("GET", `/api/2.0/mlflow/experiments/search?filter=${encodeURIComponent(`tags.grp = '${prefix}'`)}&max_results=10`);
  assert.equal(active.status, 200, active.text);
  assert.equal(active.json.experiments.length, 2);
  const all = await http("GET", `/api/2.0/mlflow/experiments/search?filter=${encodeURIComponent(`tags.grp = '${prefix}'`)}&max_results=10&view_type=ALL`);
  assert.equal(all.json.experiments.length, 3);
  const deleted = await http("POST", "/api/2.0/mlflow/experiments/search", { filter: `tags.grp = '${prefix}'`, view_type: "DELETED_ONLY" });
  assert.deepEqual(deleted.json.experiments.map((e: any) => e.name), [`${prefix}-c`]);
  const bad = await http("POST", "/api/2.0/mlflow/experiments/search", { filter: "name ~ 'x'" });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error_code, "INVALID_PARAMETER_VALUE");
  const badMax = await http("GET", "/api/2.0/mlflow/experiments/search?max_results=abc");
  assert.equal(badMax.status, 400);
  assert.match(badMax.json.message, /'max_results'/);
});
