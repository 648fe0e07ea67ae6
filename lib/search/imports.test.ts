// lib/search is imported by client components (the registry) and by the server (compile, SQL); an import
// cycle between its files once made the registry drag the server modules along. This reads the import
// statements themselves, so a type-only `import("./x")` counts too.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

const dir = path.dirname(new URL(import.meta.url).pathname);

/** Local modules a source file imports: `from "./x"`, `import("./x")`, `require("./x")`. */
function localImports(file: string): string[] {
  const src = readFileSync(path.join(dir, file), "utf8");
  const out = new Set<string>();
  for (const m of src.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["'](\.\/[^"']+)["']/g)) {
    out.add(m[1].replace(/^\.\//, "").replace(/\.tsx?$/, "") + ".ts");
  }
  return [...out];
}

function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === "done") return null;
    if (state.get(n) === "open") return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, "open");
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, "done");
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

test("lib/search has no import cycle", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  const graph = new Map(files.map((f) => [f, localImports(f).filter((d) => files.includes(d))]));
  assert.ok(graph.get("compile.ts")!.includes("fields.ts"), "the import reader sees compile.ts importing fields.ts");
  assert.equal(findCycle(graph), null);
});

test("the cycle finder finds a cycle through a type-only import", () => {
  const graph = new Map([
    ["fields.ts", ["traces.ts"]],
    ["traces.ts", ["compile.ts"]],
    ["compile.ts", ["fields.ts"]],
  ]);
  assert.deepEqual(findCycle(graph), ["fields.ts", "traces.ts", "compile.ts", "fields.ts"]);
});
