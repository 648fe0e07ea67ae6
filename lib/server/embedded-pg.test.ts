import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { grantTraverse, socketDirFor } from "./embedded-pg";

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

test("the Unix socket goes in the cluster folder when its path fits and needs no quoting, else TCP only", () => {
  assert.equal(socketDirFor("/var/lib/flowtrace/pg", 54321), "/var/lib/flowtrace/pg");
  assert.equal(socketDirFor("data/pg", 5432), path.resolve("data/pg"), "relative folders are made absolute");
  assert.equal(socketDirFor("/" + "x".repeat(95) + "/pg", 54321), undefined, "too long for sun_path");
  assert.equal(socketDirFor("/home/me/my data/pg", 54321), undefined, "spaces would need quoting");
  assert.equal(socketDirFor("/home/me/pg", 54321, "win32"), undefined);
});
