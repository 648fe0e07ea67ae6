// The first minutes of a new user (issue #19): help that exits 0, a first start whose terminal a person can
// read (no SQL, no pg_ctl instructions, PostgreSQL's output in a log file), a DATABASE_URL naming a database
// that does not exist yet, `npm start` stopped by a signal to npm's own process, and the packed tarball
// started in an empty folder the way `npx <tarball> server` does.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import pg from "pg";
import { ROOT } from "./paths";

const bin = path.join(ROOT, "bin", "flowtrace.mjs");
const temps: string[] = [];
const tmp = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
};
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

// the test runner's own environment says where the test database is; a started server must not inherit it
const cleanEnv = (extra: Record<string, string | undefined> = {}) => {
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: "", FLOWTRACE_LOG_LEVEL: "", ...extra };
  for (const k of Object.keys(env)) if (k.startsWith("npm_")) delete env[k]; // as a user's shell has none
  return env as NodeJS.ProcessEnv;
};

interface Started {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(signal?: NodeJS.Signals, pid?: number): Promise<number | null>;
}

/** Spawns a command that starts a server and waits for its "listening on URL" line. */
async function startCommand(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Started> {
  const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const on = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on("data", on);
    child.stderr!.on("data", on);
    void exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${out}`)));
    setTimeout(() => reject(new Error(`no "listening on" in 90 s:\n${out}`)), 90_000).unref();
  });
  return {
    child,
    url,
    output: () => out,
    async stop(signal = "SIGTERM", pid = child.pid!) {
      if (child.exitCode === null) process.kill(pid, signal);
      return exited;
    },
  };
}

const run = (args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env ?? cleanEnv(), encoding: "utf8", timeout: 60_000 });

/** What must never reach the terminal on an ordinary start or an ordinary client mistake. */
function assertReadable(output: string) {
  assert.doesNotMatch(output, /pg_ctl|Success\. You can now|initdb|Loaded Prisma config|Route \(app\)|Running next\.config/);
  assert.doesNotMatch(output, /\b(?:SELECT|INSERT|UPDATE|STATEMENT|DETAIL|CONTEXT):?\s/);
  assert.doesNotMatch(output, /\b(?:ERROR|LOG|FATAL|WARNING):/); // PostgreSQL's own message levels
  assert.doesNotMatch(output, /uncaught/i);
}

test("--help in every form prints the usage and exits 0; --version prints the version", () => {
  for (const args of [["--help"], ["help"], ["server", "--help"], ["help", "server"], ["--port", "1", "--help"]]) {
    const r = run(args);
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stdout, /--port PORT/, args.join(" "));
    assert.match(r.stdout, /npm start -- --port 5151/, "the usage shows how to pass flags through npm");
  }
  const version = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
  for (const args of [["--version"], ["server", "--version"]]) {
    const r = run(args);
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), `flowtrace ${version}`);
  }
  const npm = spawnSync("npm", ["start", "--silent", "--", "--help"], { cwd: ROOT, env: cleanEnv(), encoding: "utf8", timeout: 60_000 });
  assert.equal(npm.status, 0, npm.stderr);
  assert.match(npm.stdout, /--port PORT/);
});

test("command mistakes say how to write the command instead", () => {
  // `npm start --port 5151` without `--`: npm keeps --port and passes only "5151" on
  const eaten = spawnSync("npm", ["start", "--silent", "--port", "5151"], { cwd: ROOT, env: cleanEnv(), encoding: "utf8", timeout: 60_000 });
  assert.equal(eaten.status, 1);
  assert.match(eaten.stderr, /npm start -- --port 5151/);
  const typo = run(["server", "--prot", "5151"]);
  assert.equal(typo.status, 1);
  assert.match(typo.stderr, /unknown option '--prot' \(did you mean --port\?\)/);
  assert.ok(typo.stderr.trim().split("\n").length <= 2, `one short error, not the whole usage:\n${typo.stderr}`);
  const bad = run(["server", "--log-level", "loud"]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /invalid log level 'loud'/);
});

test("first start on a new data directory: a short banner, PostgreSQL's output in its log file, client mistakes stay out of the terminal", async () => {
  const dataDir = path.join(tmp("ft-first-"), "data");
  const s = await startCommand(process.execPath, [bin, "server", "--no-build", "--port", "0", "--data-dir", dataDir]);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const banner = s.output();
    const lines = banner.trim().split("\n");
    // the banner's 4 lines, and as root one warning that folders got o+x for the `postgres` user
    assert.ok(lines.length <= 5, `at most 5 lines on a first start, got ${lines.length}:\n${banner}`);
    assert.ok(lines.some((l) => /^flowtrace \d+\.\d+\.\d+: listening on http:\/\/127\.0\.0\.1:\d+$/.test(l)), banner);
    for (const l of lines.filter((x) => !x.startsWith("  ") && !/listening on/.test(x))) assert.match(l, /^flowtrace: let the 'postgres' user traverse/, "no other line");
    assert.match(banner, new RegExp(`embedded PostgreSQL \\d+\\.\\d+, data in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(created now\\)`));
    assert.match(banner, /accounts\s+off/);
    assertReadable(banner);
    const pgLog = path.join(dataDir, "postgresql.log");
    assert.ok(existsSync(pgLog), "PostgreSQL's output goes to postgresql.log in the data directory");

    // ordinary client mistakes: a duplicate experiment name, spans for an experiment that does not exist
    const post = (p: string, body: string, headers: Record<string, string> = {}) => fetch(s.url + p, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    const name = `dup-${process.pid}-${Date.now()}`;
    assert.equal((await post("/api/2.0/mlflow/experiments/create", JSON.stringify({ name }))).status, 200);
    assert.equal((await post("/api/2.0/mlflow/experiments/create", JSON.stringify({ name }))).status, 400);
    const span = { traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b174", name: "x", startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000001000000000" };
    const otlp = await post("/v1/traces", JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }), { "x-mlflow-experiment-id": "987654" });
    assert.equal(otlp.status, 404);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(s.output(), banner, "a client's mistake prints nothing at the default log level");
    assert.match(readFileSync(pgLog, "utf8"), /ERROR/, "PostgreSQL's own account of it is in its log file");
  } finally {
    assert.equal(await s.stop(), 0);
  }
  assertReadable(s.output());
});

test("DATABASE_URL naming a database that does not exist: created when the user may, else the createdb command is named", async () => {
  const testUrl = new URL(process.env.DATABASE_URL!);
  const adminUrl = new URL(testUrl);
  adminUrl.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  const dbName = `flowtrace_created_${process.pid}_${Date.now().toString(36)}`;
  const role = `ft_nocreate_${process.pid}`;
  try {
    const url = new URL(testUrl);
    url.pathname = `/${dbName}`;
    const s = await startCommand(process.execPath, [bin, "server", "--no-build", "--port", "0", "--backend-store-uri", url.toString()]);
    try {
      assert.match(s.output(), new RegExp(`created the database ${dbName}`));
      assert.match(s.output(), /database\s+PostgreSQL \d+/);
      assertReadable(s.output());
      assert.equal((await fetch(s.url + "/api/2.0/mlflow/experiments/get?experiment_id=0")).status, 200);
    } finally {
      await s.stop();
    }
    // a user that may not create databases gets the command that would
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw-${role}' NOCREATEDB`);
    const noCreate = new URL(testUrl);
    noCreate.username = role;
    noCreate.password = `pw-${role}`;
    noCreate.pathname = `/${dbName}_other`;
    const r = run(["server", "--no-build", "--port", "0", "--backend-store-uri", noCreate.toString()]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`database "${dbName}_other" does not exist .*createdb .*${dbName}_other`));
    assert.doesNotMatch(r.stderr, new RegExp(`pw-${role}`), "no password in the message");
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
    await admin.end();
  }
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`npm start stops on ${signal} sent to npm's own process, and stops its PostgreSQL`, async () => {
    const dataDir = path.join(tmp("ft-npm-"), "data");
    const s = await startCommand("npm", ["start", "--silent", "--", "--no-build", "--port", "0", "--data-dir", dataDir]);
    const pidFile = path.join(dataDir, "pg", "postmaster.pid");
    assert.ok(existsSync(pidFile));
    const code = await Promise.race([s.stop(signal), new Promise<string>((r) => setTimeout(() => r("still running after 20 s"), 20_000))]);
    assert.notEqual(code, "still running after 20 s");
    for (let i = 0; i < 50 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(existsSync(pidFile), false, "the embedded PostgreSQL stopped too");
  });
}

test("the packed tarball installs into an empty folder and starts with the embedded PostgreSQL, data in the per-user folder", { timeout: 240_000 }, async () => {
  const work = tmp("ft-pack-");
  const pack = spawnSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: ROOT, env: cleanEnv(), encoding: "utf8", timeout: 180_000 });
  assert.equal(pack.status, 0, pack.stderr);
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  assert.ok(tarball, `npm pack made no tarball: ${pack.stdout}`);
  const app = path.join(work, "app");
  const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--prefix", app, path.join(work, tarball)], { env: cleanEnv(), encoding: "utf8", timeout: 180_000 });
  assert.equal(install.status, 0, install.stderr);
  assert.ok(!existsSync(path.join(app, "node_modules", "prisma")), "no development tool is installed with the package");
  const xdg = path.join(work, "xdg");
  const installedBin = path.join(app, "node_modules", ".bin", "flowtrace");
  const help = spawnSync(installedBin, ["--help"], { cwd: app, env: cleanEnv(), encoding: "utf8" });
  assert.equal(help.status, 0, help.stderr);
  const s = await startCommand(installedBin, ["server", "--port", "0"], { cwd: app, env: cleanEnv({ XDG_DATA_HOME: xdg }) });
  try {
    assert.match(s.output(), new RegExp(`data in ${path.join(xdg, "flowtrace").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(created now\\)`));
    assert.doesNotMatch(s.output(), /building the web app/, "the package ships its build");
    assertReadable(s.output());
    const page = await fetch(s.url + "/");
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/);
    const created = await fetch(s.url + "/api/2.0/mlflow/experiments/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "from-the-package" }) });
    assert.equal(created.status, 200);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});
