import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { dataDirForRoot, StartupError } from "./embedded-pg";

test("as root, a default data dir the postgres user cannot reach moves to /var/lib/flowtrace; an explicit one is an error", () => {
  const home = mkdtempSync(path.join(os.tmpdir(), "ft-home-"));
  try {
    chmodSync(home, 0o700);
    const wanted = path.join(home, "project", "flowtrace-data");
    const moved = dataDirForRoot(wanted, false);
    assert.match(moved, /^\/var\/lib\/flowtrace\/project-[0-9a-f]{10}$/);
    assert.equal(dataDirForRoot(wanted, false), moved, "the same folder maps to the same place on every start");
    assert.throws(() => dataDirForRoot(wanted, true), (e: Error) => e instanceof StartupError && /cannot enter .*ft-home-/.test(e.message));
    chmodSync(home, 0o755);
    assert.equal(dataDirForRoot(wanted, false), wanted, "reachable folders are used as they are");
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
