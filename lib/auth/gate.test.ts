import assert from "node:assert/strict";
import { test } from "node:test";
import { isPublicPath, pageAccessFor, unauthenticatedAnswer } from "./gate";

test("only health, version, sign-in and static assets are public", () => {
  for (const p of ["/health", "/version", "/login", "/login/setup", "/api/auth/csrf", "/api/auth/callback/credentials", "/_next/static/chunks/a.js"]) assert.ok(isPublicPath(p), p);
  for (const p of ["/", "/experiments/1", "/api/2.0/mlflow/experiments/search", "/v1/traces", "/settings/tokens", "/loginx", "/api/authx", "/_next/data/x"]) assert.ok(!isPublicPath(p), p);
});

test("page URLs name the access they need", () => {
  assert.deepEqual(pageAccessFor("/experiments/12/traces"), [{ kind: "experiment", level: "READ", experimentId: "12" }]);
  assert.deepEqual(pageAccessFor("/experiments/12/traces/tr-abc"), [
    { kind: "experiment", level: "READ", experimentId: "12" },
    { kind: "trace", level: "READ", traceId: "tr-abc" },
  ]);
  assert.deepEqual(pageAccessFor("/settings/experiments/7/permissions"), [{ kind: "experiment", level: "MANAGE", experimentId: "7" }]);
  assert.deepEqual(pageAccessFor("/settings/users"), [{ kind: "admin" }]);
  assert.deepEqual(pageAccessFor("/api/ui/experiments/12/traces"), [], "API routes check in their wrapper");
  assert.deepEqual(pageAccessFor("/"), []);
});

test("unauthenticated answers: MLflow JSON with the Basic challenge, FastAPI shape on /v1, sign-in redirect for pages", () => {
  const api = unauthenticatedAnswer("GET", "/api/2.0/mlflow/experiments/get", "", "Authentication required");
  assert.equal(api.status, 401);
  assert.equal(api.headers["www-authenticate"], 'Basic realm="mlflow"');
  assert.deepEqual(JSON.parse(api.body), { error_code: "UNAUTHENTICATED", message: "Authentication required" });
  const otlp = unauthenticatedAnswer("POST", "/v1/traces", "", "Authentication required");
  assert.deepEqual([otlp.status, JSON.parse(otlp.body)], [401, { detail: "Authentication required" }]);
  const page = unauthenticatedAnswer("GET", "/experiments/3", "?tab=x", "Authentication required");
  assert.deepEqual([page.status, page.headers.location], [307, "/login?callbackUrl=%2Fexperiments%2F3%3Ftab%3Dx"]);
  assert.equal(unauthenticatedAnswer("POST", "/experiments/3", "", "x").status, 401);
  const fromUi = unauthenticatedAnswer("GET", "/ajax-api/2.0/mlflow/experiments/search", "", "x", true);
  assert.equal(fromUi.status, 401);
  assert.equal(fromUi.headers["www-authenticate"], undefined, "no browser password dialog for the UI's own fetches");
});
