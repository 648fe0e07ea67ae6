import assert from "node:assert/strict";
import { test } from "node:test";
import { http } from "../testing/http";

test("GET /health answers 200 OK in plain text", async () => {
  const r = await http("GET", "/health");
  assert.equal(r.status, 200);
  assert.equal(r.text, "OK");
  assert.match(r.headers.get("content-type") ?? "", /^text\/plain/);
});

test("GET /version reports an MLflow 3.x version >= 3.5 so Python clients export spans incrementally", async () => {
  const r = await http("GET", "/version");
  assert.equal(r.status, 200);
  const [major, minor] = r.text.split(".").map(Number);
  assert.equal(major, 3);
  assert.ok(minor >= 5, `version ${r.text}`);
});
