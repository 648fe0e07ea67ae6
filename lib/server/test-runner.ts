// `npm test`: every tier against real things. Unit tests (*.test.ts) run in plain Node; integration tests
// (*.int.test.ts) and browser tests (e2e/*.spec.ts) get a fresh PostgreSQL database (embedded, or a new
// database on the server named by DATABASE_URL) and the production server built and started on it.
// Tests read DATABASE_URL (direct SQL / lib calls) and FLOWTRACE_URL (HTTP). Ends with "N passed, N failed".
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ensureBuild } from "./build";
import { startEmbeddedPostgres, type EmbeddedDb } from "./embedded-pg";
import { ROOT } from "./paths";

type Tier = "unit" | "int" | "e2e";
interface Counts { passed: number; failed: number; skipped: number }

const SKIP_DIRS = new Set(["node_modules", ".next", "generated", ".git", "flowtrace-data", "test-results"]);

function findFiles(dir: string, re: RegExp, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, re, out);
    else if (re.test(e.name)) out.push(p);
  }
  return out.sort();
}

function runNodeTests(files: string[], env: NodeJS.ProcessEnv, concurrency: number): Counts {
  if (files.length === 0) return { passed: 0, failed: 0, skipped: 0 };
  const tap = path.join(mkdtempSync(path.join(os.tmpdir(), "flowtrace-tap-")), "out.tap");
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap", `--test-reporter-destination=${tap}`, ...files.map((f) => path.relative(ROOT, f))],
    { cwd: ROOT, stdio: "inherit", env },
  );
  const text = existsSync(tap) ? readFileSync(tap, "utf8") : "";
  rmSync(path.dirname(tap), { recursive: true, force: true });
  const num = (k: string) => Number(new RegExp(`^# ${k} (\\d+)`, "m").exec(text)?.[1] ?? 0);
  const counts = { passed: num("pass"), failed: num("fail") + num("cancelled"), skipped: num("skipped") + num("todo") };
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1; // the runner itself failed
  return counts;
}

function runPlaywright(files: string[], env: NodeJS.ProcessEnv): Counts {
  if (files.length === 0) return { passed: 0, failed: 0, skipped: 0 };
  const report = path.join(mkdtempSync(path.join(os.tmpdir(), "flowtrace-pw-")), "report.json");
  const cli = path.join(ROOT, "node_modules", "@playwright", "test", "cli.js");
  const r = spawnSync(process.execPath, [cli, "test", ...files.map((f) => path.relative(ROOT, f))], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
  });
  let counts = { passed: 0, failed: 0, skipped: 0 };
  if (existsSync(report)) {
    const s = JSON.parse(readFileSync(report, "utf8")).stats ?? {};
    counts = { passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0), skipped: s.skipped ?? 0 };
  }
  rmSync(path.dirname(report), { recursive: true, force: true });
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

interface TestDb { url: string; cleanup(): Promise<void> }

async function createTestDatabase(): Promise<TestDb> {
  const external = process.env.DATABASE_URL;
  let embedded: EmbeddedDb | undefined;
  let tmp: string | undefined;
  let adminUrl: string;
  if (external) {
    adminUrl = external;
  } else {
    tmp = mkdtempSync(path.join(os.tmpdir(), "flowtrace-test-pg-"));
    embedded = await startEmbeddedPostgres(tmp);
    adminUrl = embedded.url;
  }
  const name = `flowtrace_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async cleanup() {
      if (!embedded) {
        // a database on the user's server: drop what we created (an embedded cluster is deleted whole)
        const c = new pg.Client({ connectionString: adminUrl });
        c.on("error", () => {});
        try {
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } catch (e) {
          console.error(`could not drop the test database ${name}: ${(e as Error).message}`);
        } finally {
          await c.end().catch(() => {});
        }
      }
      await embedded?.stop().catch(() => {});
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export interface ChildServer {
  url: string;
  /** the server process (fault tests signal it) */
  child: import("node:child_process").ChildProcess;
  /** everything it printed so far */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `flowtrace server` as a child process on a free port (embedded database when databaseUrl is null). */
export async function startServerProcess(databaseUrl: string | null, extraArgs: string[] = [], extraEnv: Record<string, string | undefined> = {}): Promise<ChildServer> {
  const dbArgs = databaseUrl ? ["--backend-store-uri", databaseUrl] : [];
  const child = spawn(process.execPath, ["--max-semi-space-size=32", path.join(ROOT, "bin", "flowtrace.mjs"), "server", "--port", "0", "--no-build", ...dbArgs, ...extraArgs], {
    cwd: ROOT,
    env: { ...process.env, ...extraEnv, DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) resolve(m[1]);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
      process.stderr.write(d);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000).unref();
  });
  return {
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export async function runTests(args: string[]): Promise<number> {
  const onlyIdx = args.indexOf("--only");
  const only = onlyIdx >= 0 ? (args.splice(onlyIdx, 2)[1] as Tier) : undefined;
  const filter = args.filter((a) => !a.startsWith("-"));
  const pick = (files: string[]) => (filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files);
  const want = (t: Tier) => !only || only === t;

  const unitFiles = pick(findFiles(ROOT, /\.test\.tsx?$/).filter((f) => !/\.int\.test\.tsx?$/.test(f)));
  const intFiles = pick(findFiles(ROOT, /\.int\.test\.tsx?$/));
  const e2eFiles = pick(findFiles(path.join(ROOT, "e2e"), /\.spec\.ts$/));
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  const add = (c: Counts, label: string) => {
    console.log(`\n[${label}] ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  };

  if (want("unit")) add(runNodeTests(unitFiles, { ...process.env }, 2), "unit");

  if ((want("int") && intFiles.length) || (want("e2e") && e2eFiles.length)) {
    await ensureBuild(ROOT);
    const db = await createTestDatabase();
    let server: ChildServer | undefined;
    try {
      server = await startServerProcess(db.url);
      console.log(`test server ${server.url} on a fresh database`);
      const env = { ...process.env, DATABASE_URL: db.url, FLOWTRACE_URL: server.url, FLOWTRACE_ROOT: ROOT };
      if (want("int")) add(runNodeTests(intFiles, env, 1), "integration");
      if (want("e2e")) add(runPlaywright(e2eFiles, env), "e2e");
    } catch (err) {
      console.error(err);
      total.failed++;
    } finally {
      await server?.stop();
      await db.cleanup();
    }
  }
  console.log(`\nflowtrace tests: ${total.skipped} skipped`);
  console.log(`${total.passed} passed, ${total.failed} failed`);
  return total.failed === 0 && total.passed > 0 ? 0 : 1;
}
