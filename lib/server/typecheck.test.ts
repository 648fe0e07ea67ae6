// The type check that `next build` no longer runs at start (lib/server/build.ts): `npm test` fails on a
// type error anywhere, app, tests, e2e and scripts included (`npm run typecheck`).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "./paths";

test("the whole tree type-checks (tsc --noEmit)", { timeout: 300_000 }, () => {
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.json"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `tsc found type errors:\n${r.stdout}${r.stderr}`);
});
