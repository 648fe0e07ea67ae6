// First run with --auth and no admin in the environment, on a database of its own: no default password,
// a one-time setup token, the first admin created through /api/auth/setup, and a session secret kept in
// the database so sessions survive a restart (and every instance agrees).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { startServerProcess } from "../server/test-runner";
import { basic, call, signIn } from "../testing/auth";

let dbUrl: string;
let dbName: string;
let db: pg.Client;

before(async () => {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  dbName = `flowtrace_setup_${randomBytes(4).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `/${dbName}`;
  dbUrl = u.toString();
});

after(async () => {
  await db?.end();
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

test("first run: setup token, first admin, no default account; the session secret survives a restart", async () => {
  const env = { FLOWTRACE_ADMIN_USERNAME: "", FLOWTRACE_ADMIN_PASSWORD: "", NEXTAUTH_SECRET: "" };
  let srv = await startServerProcess(dbUrl, ["--auth"], env);
  let cookie: string | undefined;
  try {
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    assert.equal((await db.query(`SELECT count(*)::int AS n FROM users`)).rows[0].n, 0, "no default account");
    const { rows } = await db.query(`SELECT key, value FROM server_settings ORDER BY key`);
    const settings = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    assert.ok(settings.setup_token && settings.setup_token.length >= 20);
    assert.ok(settings.nextauth_secret && settings.nextauth_secret.length >= 32);

    assert.equal((await call(srv.url, "GET", "/login/setup")).status, 200);
    assert.equal((await call(srv.url, "GET", "/api/2.0/mlflow/experiments/search", undefined, basic("admin", "password1234"))).status, 401, "MLflow's default admin does not exist");
    const wrong = await call(srv.url, "POST", "/api/auth/setup", { token: "x".repeat(settings.setup_token.length), username: "root", password: "first-admin-pw" });
    assert.equal(wrong.status, 400);
    const ok = await call(srv.url, "POST", "/api/auth/setup", { token: settings.setup_token, username: "root", password: "first-admin-pw" });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.user.isAdmin, true);
    const again = await call(srv.url, "POST", "/api/auth/setup", { token: settings.setup_token, username: "root2", password: "first-admin-pw" });
    assert.equal(again.status, 400, "the token is single-use");
    assert.equal((await call(srv.url, "GET", "/api/auth/users", undefined, basic("root", "first-admin-pw"))).status, 200);
    cookie = await signIn(srv.url, "root", "first-admin-pw");
    assert.ok(cookie);
  } finally {
    await srv.stop();
  }
  srv = await startServerProcess(dbUrl, ["--auth"], env);
  try {
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, { cookie: cookie! })).status, 200, "session still valid after a restart");
  } finally {
    await srv.stop();
  }
});
