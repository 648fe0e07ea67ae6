import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizeArtifactPath } from "./artifacts";

test("artifact paths stay inside the artifact tree", () => {
  assert.equal(normalizeArtifactPath("1/traces/tr-1/artifacts/traces.json"), "1/traces/tr-1/artifacts/traces.json");
  assert.equal(normalizeArtifactPath("/1/x/"), "1/x");
  assert.equal(normalizeArtifactPath("", true), "");
  for (const bad of ["", "../x", "1/../../etc/passwd", "1/%2e%2e/x", "1/%2E%2E", "1/..%2Fx", "1//x", "1/./x", "1\\..\\x", "C:/x", "s3://bucket/x", "1/a%00b", "1/%zz/.."]) {
    assert.throws(() => normalizeArtifactPath(bad), /Invalid artifact path/, bad);
  }
});
