// An installed flowtrace (npx, npm install -g) runs lib/ through tsx from inside node_modules, where tsx does
// not apply tsconfig's "@/…" paths (ERR_MODULE_NOT_FOUND at start, seen from the packed tarball): lib/
// imports its own files by relative path. app/ and components/ are bundled by Next and may use "@/".
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "./paths";

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "generated") continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) tsFiles(p, out);
    else if (/\.tsx?$/.test(e.name)) out.push(p);
  }
  return out;
}

test("lib/ imports its own modules by relative path, never through the @/ alias", () => {
  const offenders = tsFiles(path.join(ROOT, "lib")).filter((f) => /(?:from|import)\s*\(?\s*["']@\//.test(readFileSync(f, "utf8")));
  assert.deepEqual(offenders.map((f) => path.relative(ROOT, f)), []);
});
