// Sign-in throttling over real HTTP against a server started with --auth that trusts the loopback address as
// its proxy (FLOWTRACE_TRUSTED_PROXIES), so each test speaks from its own client address via X-Forwarded-For.
// The limits live in PostgreSQL (login_attempts), so every server process on the database shares them.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { uniqueName } from "../testing/http";
import { basic, call, startAuthServer, type AuthServer } from "../testing/auth";

let srv: AuthServer;
let db: pg.Client;
let admin: Record<string, string>;

/** A documentation-range address no other test uses. */
function addr(): string {
  const b = randomBytes(2);
  return `198.51.${b[0]}.${b[1]}`;
}

async function newUser(prefix: string): Promise<{ username: string; password: string }> {
  const username = uniqueName(prefix);
  const password = `pw-${username}`;
  const r = await call(srv.url, "POST", "/api/auth/users", { username, password }, admin);
  assert.equal(r.status, 201, r.text);
  return { username, password };
}

const tokens = (username: string, password: string, from: string) => call(srv.url, "GET", "/api/auth/tokens", undefined, { ...basic(username, password), "x-forwarded-for": from });

async function inBatches<T>(n: number, width: number, f: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += width) out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => f(i + j)))));
  return out;
}

before(async () => {
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  srv = await startAuthServer({ FLOWTRACE_TRUSTED_PROXIES: "127.0.0.1,::1" });
  admin = basic(srv.admin.username, srv.admin.password);
});

after(async () => {
  await srv?.stop();
  await db?.end();
});

test("40 concurrent wrong passwords: the limit holds under concurrency, the rest get 429 with Retry-After", async () => {
  const u = await newUser("race");
  const from = addr();
  const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => tokens(u.username, `wrong-${i}-password`, from)));
  const checked = rs.filter((r) => r.status === 401).length;
  const throttled = rs.filter((r) => r.status === 429);
  console.log(`40 concurrent wrong passwords: ${checked} checked (401), ${throttled.length} refused (429)`);
  assert.ok(checked <= 6, `${checked} passwords were checked`);
  assert.equal(checked + throttled.length, 40);
  for (const r of throttled) {
    assert.match(r.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
    assert.equal(r.json.error_code, "REQUEST_LIMIT_EXCEEDED");
  }
  // the right password from that address is refused while the backoff lasts, but works from elsewhere
  assert.equal((await tokens(u.username, u.password, from)).status, 429);
  assert.equal((await tokens(u.username, u.password, addr())).status, 200);
});

test("100 failures from one address for random user names do not lock other accounts out of that address", async () => {
  const from = addr();
  const rs = await inBatches(100, 8, (i) => tokens(`nobody-${randomBytes(4).toString("hex")}-${i}`, "wrong-password-1", from));
  assert.ok(rs.every((r) => r.status === 401 || r.status === 429));
  const other = await newUser("bystander");
  assert.equal((await tokens(other.username, other.password, from)).status, 200, "an account not under attack signs in");
  assert.equal((await tokens(srv.admin.username, srv.admin.password, from)).status, 200, "the admin too");
  // a throttled address gets no second guess at an account it already failed on
  const victim = await newUser("victim");
  assert.equal((await tokens(victim.username, "wrong-password-2", from)).status, 401);
  const again = await tokens(victim.username, victim.password, from);
  assert.equal(again.status, 429);
  assert.match(again.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
  assert.equal((await tokens(victim.username, victim.password, addr())).status, 200, "the victim from its own address");
});

test("an attacker at one address cannot keep an account locked for long", async () => {
  const u = await newUser("target");
  const from = addr();
  for (let i = 0; i < 8; i++) await tokens(u.username, `wrong-${i}-password`, from);
  // whatever the attacker's address earned, the account itself is not locked from other addresses
  assert.equal((await tokens(u.username, u.password, addr())).status, 200);
});

test("X-Forwarded-For from a trusted proxy separates clients; the database keeps the counts", async () => {
  const u = await newUser("xff");
  const a = addr();
  const b = addr();
  for (let i = 0; i < 5; i++) assert.equal((await tokens(u.username, `wrong-${i}-password`, a)).status, 401);
  const { rows } = await db.query<{ key: string; failures: number }>(`SELECT key, failures FROM login_attempts WHERE key = ANY($1) ORDER BY key`, [[`user:${u.username.toLowerCase()}|ip:${a}`, `ip:${a}`]]);
  assert.deepEqual(rows.map((r) => [r.key, r.failures]), [[`ip:${a}`, 5], [`user:${u.username.toLowerCase()}|ip:${a}`, 5]]);
  assert.equal((await tokens(u.username, u.password, a)).status, 429);
  assert.equal((await tokens(u.username, u.password, b)).status, 200);
});

test("the UI's sign-in endpoint (next-auth credentials callback) answers 429 with Retry-After", async () => {
  const u = await newUser("ui429");
  const from = addr();
  const attempt = async (password: string) => {
    const csrf = await fetch(`${srv.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    return fetch(`${srv.url}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: srv.url, "x-forwarded-for": from },
      body: new URLSearchParams({ csrfToken, username: u.username, password, json: "true", callbackUrl: "/" }).toString(),
    });
  };
  for (let i = 0; i < 5; i++) assert.notEqual((await attempt(`wrong-${i}-password`)).status, 429);
  const r = await attempt(u.password);
  assert.equal(r.status, 429);
  assert.match(r.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
  const body = (await r.json()) as { url: string };
  assert.equal(new URL(body.url).searchParams.get("error"), "TooManyAttempts", "the login form shows its message");
});
