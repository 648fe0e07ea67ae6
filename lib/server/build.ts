// "Build when missing or stale": a content hash of everything that goes into the Next build is stored next
// to it, so `npm start` on a fresh clone (or after a pull) builds once and later starts are instant.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const INPUTS = ["app", "components", "lib", "public", "prisma/schema.prisma", "next.config.mjs", "postcss.config.mjs", "tsconfig.json", "package-lock.json", "package.json"];
const SKIP = new Set(["node_modules", ".next", "generated"]);

function walk(p: string, out: string[]) {
  if (!existsSync(p)) return;
  const st = statSync(p);
  if (st.isFile()) {
    if (!/\.(test|spec)\.tsx?$/.test(p)) out.push(p);
    return;
  }
  for (const name of readdirSync(p).sort()) if (!SKIP.has(name)) walk(path.join(p, name), out);
}

export function sourceHash(root: string): string {
  const files: string[] = [];
  for (const i of INPUTS) walk(path.join(root, i), files);
  const h = createHash("sha256");
  for (const f of files) {
    h.update(path.relative(root, f));
    h.update(readFileSync(f));
  }
  return h.digest("hex");
}

const stampFile = (root: string) => path.join(root, ".next", "flowtrace-build.json");

export function buildIsCurrent(root: string): boolean {
  if (!existsSync(path.join(root, ".next", "BUILD_ID")) || !existsSync(stampFile(root))) return false;
  try {
    return JSON.parse(readFileSync(stampFile(root), "utf8")).hash === sourceHash(root);
  } catch {
    return false;
  }
}

export function generatePrismaClient(root: string): void {
  const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
  // `prisma generate` does not run the schema engine, but the CLI insists on finding one; it would otherwise
  // try to download it. Any existing file satisfies it.
  const r = spawnSync(process.execPath, [cli, "generate"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
  });
  if (r.status !== 0) throw new Error("prisma generate failed");
}

export function build(root: string, log: (m: string) => void = console.log): void {
  log("flowtrace: building the web app (first start or sources changed)…");
  generatePrismaClient(root);
  const hash = sourceHash(root);
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const r = spawnSync(process.execPath, [nextBin, "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error("next build failed");
  writeFileSync(stampFile(root), JSON.stringify({ hash, at: new Date().toISOString() }));
}

export function ensureBuild(root: string, log?: (m: string) => void): void {
  if (!buildIsCurrent(root)) build(root, log);
}
