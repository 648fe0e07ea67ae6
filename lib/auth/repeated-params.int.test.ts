// A query parameter repeated in the URL is one value to the access check and to the handler alike: the trace
// download (get-trace-artifact) took a repeated request_id for "no trace named" when it checked access (so any
// signed-in caller passed) while it answered with the first one's data.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { uniqueName } from "../testing/http";
import { basic, call, startAuthServer, type AuthServer } from "../testing/auth";

let srv: AuthServer;

before(async () => {
  srv = await startAuthServer({ FLOWTRACE_DEFAULT_PERMISSION: "NO_PERMISSIONS" });
});
after(async () => {
  await srv?.stop();
});

test("get-trace-artifact with a repeated request_id is authorized against the trace it answers with", async () => {
  const admin = basic(srv.admin.username, srv.admin.password);
  const exp = await call(srv.url, "POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName("repeated") }, admin);
  assert.equal(exp.status, 200, exp.text);
  const traceId = `tr-${randomBytes(16).toString("hex")}`;
  const location = { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp.json.experiment_id } };
  const start = await call(srv.url, "POST", "/api/3.0/mlflow/traces", { trace: { trace_info: { trace_id: traceId, trace_location: location, state: "OK" } } }, admin);
  assert.equal(start.status, 200, start.text);
  const username = uniqueName("outsider");
  const created = await call(srv.url, "POST", "/api/auth/users", { username, password: `pw-${username}` }, admin);
  assert.equal(created.status, 201, created.text);
  const outsider = basic(username, `pw-${username}`);

  for (const query of [`request_id=${traceId}`, `request_id=${traceId}&request_id=other`]) {
    const r = await call(srv.url, "GET", `/api/2.0/mlflow/get-trace-artifact?${query}`, undefined, outsider);
    assert.equal(r.status, 403, `${query}: ${r.text}`);
    assert.equal(r.json.error_code, "PERMISSION_DENIED");
    // the admin passes the check and gets the trace's answer (no spans stored yet: 404)
    const own = await call(srv.url, "GET", `/api/2.0/mlflow/get-trace-artifact?${query}`, undefined, admin);
    assert.equal(own.status, 404, `${query}: ${own.text}`);
  }
});
