import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { grantTraverse } from "./embedded-pg";

test("folders the postgres user cannot enter get o+x (traverse, not list); others are left alone", () => {
  const home = mkdtempSync(path.join(os.tmpdir(), "ft-home-"));
  try {
    const project = path.join(home, "project");
    mkdirSync(project, { mode: 0o755 });
    chmodSync(home, 0o700);
    const messages: string[] = [];
    assert.deepEqual(grantTraverse([project], (m) => messages.push(m)), [home]);
    assert.equal(statSync(home).mode & 0o777, 0o701);
    assert.equal(statSync(project).mode & 0o777, 0o755);
    assert.match(messages[0], /traverse .*ft-home-/);
    assert.deepEqual(grantTraverse([project]), [], "nothing left to change");
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
