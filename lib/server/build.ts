// "Build when missing or stale": a content hash of everything that goes into the Next build is stored next
// to it, so `npm start` on a fresh clone (or after a pull) builds once and later starts are instant. The
// build's own output (Next's route table, Prisma's banners) goes to .next/flowtrace-build.log; the terminal
// gets one progress line, and the log's tail only when the build fails. The build does not type-check:
// that belongs to `npm test` (lib/server/typecheck.test.ts) and saved ~45 s of a first start here.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
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
export const buildLogFile = (root: string) => path.join(root, ".next", "flowtrace-build.log");

interface Stamp {
  hash: string;
  at: string;
  /** written by `npm pack` (prepack): the package ships its build, and has no lock file to hash */
  packaged?: boolean;
  /** .next/node_modules links of a packaged build (link path → package name), see linkExternals */
  externals?: Record<string, string>;
}

const externalsDir = (root: string) => path.join(root, ".next", "node_modules");

/**
 * Turbopack reaches serverExternalPackages (pg, @prisma/client, …) through links it makes in
 * .next/node_modules under hashed names (`pg-587764f78a6c7a9c` → ../../node_modules/pg). npm pack leaves
 * node_modules folders and links out, so the package records them and an installed copy makes them
 * again, pointing at wherever npm put each package (hoisted beside flowtrace, usually).
 */
function readExternals(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, prefix: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (lstatSync(p).isSymbolicLink()) out[prefix + name] = readlinkSync(p).split("node_modules/").pop()!;
      else if (name.startsWith("@")) walk(p, `${name}/`);
    }
  };
  walk(externalsDir(root), "");
  return out;
}

function linkExternals(root: string, externals: Record<string, string>): void {
  const req = createRequire(path.join(root, "package.json"));
  for (const [link, pkg] of Object.entries(externals)) {
    const at = path.join(externalsDir(root), link);
    if (existsSync(at)) continue;
    const target = path.dirname(req.resolve(`${pkg}/package.json`));
    mkdirSync(path.dirname(at), { recursive: true });
    symlinkSync(path.relative(path.dirname(at), target), at, "dir");
  }
}

export function buildIsCurrent(root: string): boolean {
  if (!existsSync(path.join(root, ".next", "BUILD_ID")) || !existsSync(stampFile(root))) return false;
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile(root), "utf8")) as Stamp;
  } catch {
    return false;
  }
  // An installed package has no package-lock.json (npm never packs it), so its hash cannot match; its
  // build is the one it was packed with, and it has no build tools (devDependencies) to rebuild with. A
  // failure to make its links says why (e.g. a read-only global install) instead of trying to rebuild.
  if (stamp.packaged && !existsSync(path.join(root, "package-lock.json"))) {
    linkExternals(root, stamp.externals ?? {});
    return true;
  }
  return stamp.hash === sourceHash(root);
}

const prismaCli = (root: string) => path.join(root, "node_modules", "prisma", "build", "index.js");

export function generatePrismaClient(root: string): void {
  // An installed package ships the generated client and has no Prisma CLI (a devDependency).
  if (!existsSync(prismaCli(root)) && existsSync(path.join(root, "lib", "generated", "prisma", "client.ts"))) return;
  // `prisma generate` does not run the schema engine, but the CLI insists on finding one; it would otherwise
  // try to download it. Any existing file satisfies it.
  const r = spawnSync(process.execPath, [prismaCli(root), "generate"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
  });
  if (r.status !== 0) throw new Error(`prisma generate failed:\n${r.stdout}${r.stderr}`);
}

export interface BuildOptions {
  log?: (m: string) => void;
  /** stamp the build as the one an npm package ships (prepack) */
  packaged?: boolean;
}

export async function build(root: string, opts: BuildOptions = {}): Promise<void> {
  const log = opts.log ?? ((m: string) => console.log(m));
  const started = Date.now();
  const tty = process.stdout.isTTY && opts.log === undefined;
  const line = "flowtrace: building the web app (first start, or the sources changed; about half a minute)";
  log(`${line}…`);
  generatePrismaClient(root);
  const hash = sourceHash(root);
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const chunks: Buffer[] = [];
  const tick = tty ? setInterval(() => process.stdout.write(`\r  ${Math.round((Date.now() - started) / 1000)} s`), 1000) : undefined;
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, "build"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d: Buffer) => chunks.push(d));
    child.once("error", reject);
    child.once("exit", (c) => resolve(c));
  });
  if (tick) {
    clearInterval(tick);
    process.stdout.write("\r\x1b[K");
  }
  const output = Buffer.concat(chunks).toString();
  mkdirSync(path.join(root, ".next"), { recursive: true });
  writeFileSync(buildLogFile(root), output);
  if (code !== 0) {
    const tail = output.trimEnd().split("\n").slice(-40).join("\n");
    throw new Error(`next build failed (whole output in ${buildLogFile(root)}):\n${tail}`);
  }
  writeFileSync(stampFile(root), JSON.stringify({ hash, at: new Date().toISOString(), ...(opts.packaged ? { packaged: true, externals: readExternals(root) } : {}) } satisfies Stamp));
  log(`flowtrace: web app built in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** `npm pack` (prepack): the current build, stamped as the one the package ships; built first if stale. */
export async function buildForPackage(root: string): Promise<void> {
  if (!buildIsCurrent(root)) return build(root, { packaged: true });
  const stamp = JSON.parse(readFileSync(stampFile(root), "utf8")) as Stamp;
  writeFileSync(stampFile(root), JSON.stringify({ ...stamp, packaged: true, externals: readExternals(root) } satisfies Stamp));
}

export async function ensureBuild(root: string, log?: (m: string) => void): Promise<void> {
  if (!buildIsCurrent(root)) await build(root, { log });
}
