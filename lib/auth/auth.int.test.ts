// Accounts and credentials against a second server started with --auth on the test database: Basic and
// Bearer the way MLflow clients send them, tokens, disabled users, rate limiting, UI sessions and CSRF,
// the MLflow user/permission API, forged Host and Origin headers.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { uniqueName } from "../testing/http";
import net from "node:net";
import { basic, bearer, call, rawRequest, signIn, openAuthTestbed, type AuthServer, type AuthTestbed } from "../testing/auth";

/** Writes bytes as they are (duplicate headers included) and returns the raw answer. */
function rawExchange(base: string, request: string): Promise<string> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname, () => sock.end(request));
    let out = "";
    sock.setEncoding("utf8");
    sock.on("data", (d) => (out += d));
    sock.on("end", () => resolve(out));
    sock.on("error", reject);
  });
}

let srv: AuthServer;
let db: pg.Client;
let admin: Record<string, string>;

async function newUser(prefix = "user"): Promise<{ username: string; password: string; h: Record<string, string> }> {
  const username = uniqueName(prefix);
  const password = `pw-${username}`;
  const r = await call(srv.url, "POST", "/api/auth/users", { username, password }, admin);
  assert.equal(r.status, 201, r.text);
  return { username, password, h: basic(username, password) };
}

async function newExperiment(): Promise<string> {
  const name = uniqueName("auth-exp");
  const { rows } = await db.query<{ experiment_id: string }>(
    `INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES ($1, 'mlflow-artifacts:/x', $2, $2) RETURNING experiment_id`,
    [name, Date.now()],
  );
  return rows[0].experiment_id;
}

let testbed: AuthTestbed | undefined;
before(async () => {
  ({ srv, db, admin } = testbed = await openAuthTestbed());
});

after(() => testbed?.close());

describe("without credentials", () => {
  test("API answers 401 with WWW-Authenticate: Basic realm=\"mlflow\"", async () => {
    for (const path of ["/api/2.0/mlflow/experiments/search?max_results=1", "/ajax-api/2.0/mlflow/experiments/search", "/api/auth/tokens"]) {
      const r = await call(srv.url, "GET", path);
      assert.equal(r.status, 401, path);
      assert.equal(r.headers.get("www-authenticate"), 'Basic realm="mlflow"');
    }
    const otlp = await call(srv.url, "POST", "/v1/traces", Buffer.alloc(0), { "content-type": "application/x-protobuf" });
    assert.equal(otlp.status, 401);
  });

  test("the UI's own fetches get 401 without the Basic challenge (no browser password dialog)", async () => {
    const r = await call(srv.url, "GET", "/ajax-api/2.0/mlflow/experiments/search", undefined, { "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" });
    assert.equal(r.status, 401);
    assert.equal(r.headers.get("www-authenticate"), null);
  });

  test("behind an https proxy the session cookies are Secure with the __Secure-/__Host- prefixes", async () => {
    const r = await fetch(`${srv.url}/api/auth/csrf`, { headers: { "x-forwarded-proto": "https" } });
    const cookies = r.headers.getSetCookie().join("\n");
    assert.match(cookies, /__Host-next-auth\.csrf-token=[^;]+;.*Secure/i);
  });

  test("/health, /version and the sign-in endpoints stay public; pages redirect to /login", async () => {
    assert.equal((await call(srv.url, "GET", "/health")).status, 200);
    assert.equal((await call(srv.url, "GET", "/version")).status, 200);
    assert.equal((await call(srv.url, "GET", "/api/auth/csrf")).status, 200);
    const home = await call(srv.url, "GET", "/?x=1");
    assert.equal(home.status, 307);
    assert.equal(home.headers.get("location"), "/login?callbackUrl=%2F%3Fx%3D1");
  });
});

describe("HTTP Basic (MLFLOW_TRACKING_USERNAME/PASSWORD)", () => {
  test("right password passes, wrong password and unknown user get 401", async () => {
    assert.equal((await call(srv.url, "GET", "/api/auth/users", undefined, admin)).status, 200);
    const wrong = await call(srv.url, "GET", "/api/auth/users", undefined, basic(srv.admin.username, "nope-nope"));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get("www-authenticate"), 'Basic realm="mlflow"');
    assert.equal((await call(srv.url, "GET", "/api/auth/users", undefined, basic("no-such-user", "whatever1"))).status, 401);
  });

  test("passwords are stored as scrypt hashes", async () => {
    const u = await newUser();
    const { rows } = await db.query(`SELECT password_hash FROM users WHERE username = $1`, [u.username]);
    assert.match(rows[0].password_hash, /^scrypt\$/);
    assert.ok(!rows[0].password_hash.includes(u.password));
  });

  test("non-admins get 403 on admin routes", async () => {
    const u = await newUser();
    assert.equal((await call(srv.url, "GET", "/api/auth/users", undefined, u.h)).status, 403);
    assert.equal((await call(srv.url, "POST", "/api/2.0/mlflow/users/create", { username: uniqueName("x"), password: "password123" }, u.h)).status, 403);
  });

  test("a disabled user is refused at once; re-enabled works again", async () => {
    const u = await newUser();
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, u.h)).status, 200);
    assert.equal((await call(srv.url, "PATCH", `/api/auth/users/${u.username}`, { disabled: true }, admin)).status, 200);
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, u.h)).status, 401);
    assert.equal((await call(srv.url, "PATCH", `/api/auth/users/${u.username}`, { disabled: false }, admin)).status, 200);
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, u.h)).status, 200);
  });

  test("an admin password reset replaces the old password", async () => {
    const u = await newUser();
    assert.equal((await call(srv.url, "PATCH", `/api/auth/users/${u.username}`, { password: "new-password-1" }, admin)).status, 200);
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, u.h)).status, 401);
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, basic(u.username, "new-password-1"))).status, 200);
  });

  test("repeated failures lock the user out from that address (kept in the database), even with the right password", async () => {
    const u = await newUser("ratelimited");
    for (let i = 0; i < 10; i++) assert.ok([401, 429].includes((await call(srv.url, "GET", "/api/auth/tokens", undefined, basic(u.username, `wrong-${i}-pass`))).status));
    const locked = await call(srv.url, "GET", "/api/auth/tokens", undefined, u.h);
    assert.equal(locked.status, 429);
    assert.match(locked.headers.get("retry-after") ?? "", /^\d+$/);
    const { rows } = await db.query(`SELECT failures FROM login_attempts WHERE key LIKE $1`, [`user:${u.username.toLowerCase()}|%`]);
    assert.ok(rows[0].failures >= 5, "backoff starts after 5 failures");
    await db.query(`DELETE FROM login_attempts WHERE key LIKE $1`, [`user:${u.username.toLowerCase()}|%`]);
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, u.h)).status, 200);
  });
});

describe("personal access tokens (MLFLOW_TRACKING_TOKEN)", () => {
  test("created once, stored hashed, usable as Bearer with last-used time, refused after revocation", async () => {
    const u = await newUser();
    const created = await call(srv.url, "POST", "/api/auth/tokens", { name: "ci" }, u.h);
    assert.equal(created.status, 201, created.text);
    const token: string = created.json.token;
    assert.match(token, /^ft_[A-Za-z0-9_-]{40,}$/);
    const { rows } = await db.query(`SELECT token_hash FROM access_tokens WHERE id = $1`, [created.json.id]);
    assert.notEqual(rows[0].token_hash, token);
    assert.ok(!rows[0].token_hash.includes(token.slice(3)));

    const list = await call(srv.url, "GET", "/api/auth/tokens", undefined, bearer(token));
    assert.equal(list.status, 200);
    const mine = list.json.tokens.find((t: { id: string }) => t.id === created.json.id);
    assert.ok(mine.lastUsedAt > Date.now() - 60_000, "last used time recorded");
    assert.equal(JSON.stringify(list.json).includes(token), false, "the secret is never listed");

    assert.equal((await call(srv.url, "DELETE", `/api/auth/tokens/${created.json.id}`, undefined, bearer(token))).status, 200);
    const after = await call(srv.url, "GET", "/api/auth/tokens", undefined, bearer(token));
    assert.equal(after.status, 401);
    assert.equal(after.headers.get("www-authenticate"), 'Basic realm="mlflow"');
  });

  test("garbage and other users' tokens", async () => {
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, bearer("ft_not-a-real-token"))).status, 401);
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, bearer("eyJhbGciOi.x.y"))).status, 401);
    const a = await newUser();
    const b = await newUser();
    const t = await call(srv.url, "POST", "/api/auth/tokens", { name: "a's" }, a.h);
    assert.equal((await call(srv.url, "DELETE", `/api/auth/tokens/${t.json.id}`, undefined, b.h)).status, 404, "b cannot revoke a's token");
  });
});

describe("UI sessions (next-auth)", () => {
  test("sign-in sets an httpOnly SameSite cookie; mutations need our own origin; wrong password gets no session", async () => {
    const u = await newUser();
    assert.equal(await signIn(srv.url, u.username, "wrong-password"), undefined);
    const csrf = await fetch(`${srv.url}/api/auth/csrf`);
    const setCookie = csrf.headers.getSetCookie().join("\n");
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    const cookie = await signIn(srv.url, u.username, u.password);
    assert.ok(cookie, "signed in");
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, { cookie })).status, 200);
    assert.equal((await call(srv.url, "POST", "/api/auth/tokens", { name: "x" }, { cookie })).status, 403, "no Origin: CSRF");
    assert.equal((await call(srv.url, "POST", "/api/auth/tokens", { name: "x" }, { cookie, origin: srv.url, "sec-fetch-site": "same-site" })).status, 403);
    assert.equal((await call(srv.url, "POST", "/api/auth/tokens", { name: "x" }, { cookie, origin: srv.url })).status, 201);
    assert.equal((await call(srv.url, "POST", "/api/auth/tokens", { name: "x" }, { cookie, "sec-fetch-site": "same-origin" })).status, 201);
  });

  test("UI sign-in shares the database rate limit: after 10 failures even the right password gets no session", async () => {
    const u = await newUser("ui-limited");
    for (let i = 0; i < 10; i++) assert.equal(await signIn(srv.url, u.username, `wrong-${i}-password`), undefined);
    assert.equal(await signIn(srv.url, u.username, u.password), undefined);
    await db.query(`DELETE FROM login_attempts WHERE key LIKE $1`, [`user:${u.username.toLowerCase()}|%`]);
    assert.ok(await signIn(srv.url, u.username, u.password));
  });

  test("a password reset ends existing sessions", async () => {
    const u = await newUser();
    const cookie = await signIn(srv.url, u.username, u.password);
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, { cookie: cookie! })).status, 200);
    await call(srv.url, "PATCH", `/api/auth/users/${u.username}`, { password: "another-pass-2" }, admin);
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, { cookie: cookie! })).status, 401);
  });
});

describe("MLflow user and permission REST API", () => {
  test("users/create, users/get (self or admin), update-password, update-admin, delete", async () => {
    const username = uniqueName("mlu");
    const c = await call(srv.url, "POST", "/api/2.0/mlflow/users/create", { username, password: "password-123" }, admin);
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.user.username, username);
    assert.equal(c.json.user.is_admin, false);
    const self = basic(username, "password-123");
    assert.equal((await call(srv.url, "GET", `/api/2.0/mlflow/users/get?username=${username}`, undefined, self)).status, 200);
    assert.equal((await call(srv.url, "GET", `/api/2.0/mlflow/users/get?username=${srv.admin.username}`, undefined, self)).status, 403);
    assert.equal((await call(srv.url, "PATCH", "/api/2.0/mlflow/users/update-password", { username, password: "password-456" }, self)).status, 200);
    const self2 = basic(username, "password-456");
    assert.equal((await call(srv.url, "PATCH", "/api/2.0/mlflow/users/update-admin", { username, is_admin: true }, self2)).status, 403);
    assert.equal((await call(srv.url, "PATCH", "/api/2.0/mlflow/users/update-admin", { username, is_admin: true }, admin)).status, 200);
    assert.equal((await call(srv.url, "GET", `/api/2.0/mlflow/users/get?username=${srv.admin.username}`, undefined, self2)).status, 200, "now an admin");
    const dup = await call(srv.url, "POST", "/api/2.0/mlflow/users/create", { username, password: "password-123" }, admin);
    assert.equal(dup.json.error_code, "RESOURCE_ALREADY_EXISTS");
    assert.equal((await call(srv.url, "DELETE", "/api/2.0/mlflow/users/delete", { username }, admin)).status, 200);
    assert.equal((await call(srv.url, "GET", "/api/auth/tokens", undefined, self2)).status, 401);
  });

  test("experiment permissions: MANAGE needed, errors in MLflow's shape, every change audited", async () => {
    const eid = await newExperiment();
    const manager = await newUser("mgr");
    const reader = await newUser("rdr");
    const perm = (h: Record<string, string>, method: string, op: string, body: Record<string, unknown>) =>
      call(srv.url, method, `/api/2.0/mlflow/experiments/permissions/${op}${method === "GET" ? `?${new URLSearchParams(body as Record<string, string>)}` : ""}`, method === "GET" ? undefined : body, h);

    assert.equal((await perm(reader.h, "POST", "create", { experiment_id: eid, username: reader.username, permission: "MANAGE" })).status, 403, "default READ cannot grant itself MANAGE");
    const c = await perm(admin, "POST", "create", { experiment_id: eid, username: manager.username, permission: "MANAGE" });
    assert.equal(c.status, 200, c.text);
    assert.deepEqual(c.json.experiment_permission, { experiment_id: eid, user_id: c.json.experiment_permission.user_id, permission: "MANAGE" });
    assert.equal((await perm(manager.h, "POST", "create", { experiment_id: eid, username: reader.username, permission: "READ" })).status, 200);
    const again = await perm(manager.h, "POST", "create", { experiment_id: eid, username: reader.username, permission: "READ" });
    assert.equal(again.json.error_code, "RESOURCE_ALREADY_EXISTS");
    const bad = await perm(manager.h, "PATCH", "update", { experiment_id: eid, username: reader.username, permission: "OWNER" });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error_code, "INVALID_PARAMETER_VALUE");
    assert.equal((await perm(manager.h, "PATCH", "update", { experiment_id: eid, username: reader.username, permission: "EDIT" })).status, 200);
    const g = await perm(manager.h, "GET", "get", { experiment_id: eid, username: reader.username });
    assert.equal(g.json.experiment_permission.permission, "EDIT");
    assert.equal((await perm(reader.h, "GET", "get", { experiment_id: eid, username: reader.username })).status, 403, "EDIT is not MANAGE");
    assert.equal((await perm(manager.h, "DELETE", "delete", { experiment_id: eid, username: reader.username })).status, 200);
    assert.equal((await perm(manager.h, "GET", "get", { experiment_id: eid, username: reader.username })).json.error_code, "RESOURCE_DOES_NOT_EXIST");
    assert.equal((await perm(admin, "GET", "get", { experiment_id: "999999999", username: reader.username })).status, 404);

    const { rows } = await db.query(`SELECT actor, action, detail FROM audit_events WHERE target = $1 ORDER BY id`, [`experiment:${eid}`]);
    assert.deepEqual(
      rows.map((r) => [r.actor, r.action, r.detail.permission ?? null]),
      [
        [srv.admin.username, "permission.set", "MANAGE"],
        [manager.username, "permission.set", "READ"],
        [manager.username, "permission.set", "EDIT"],
        [manager.username, "permission.delete", null],
      ],
    );
  });
});

describe("hardening with forged headers", () => {
  test("a Host that merely starts like a private address is refused; duplicate Host headers are a 400", async () => {
    for (const host of ["10.attacker.example", "192.168.evil.example:5000", "172.16.x.example"]) {
      const r = await rawRequest(srv.url, "GET", "/api/2.0/mlflow/experiments/search", { host, ...admin });
      assert.equal(r.status, 403, host);
    }
    const port = new URL(srv.url).port;
    assert.equal((await rawRequest(srv.url, "GET", "/api/2.0/mlflow/experiments/search?max_results=1", { host: `127.0.0.1:${port}`, ...admin })).status, 200);
    const dup = await rawExchange(srv.url, `GET /api/2.0/mlflow/experiments/search HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: attacker.example\r\nAuthorization: ${admin.authorization}\r\nConnection: close\r\n\r\n`);
    assert.match(dup, /^HTTP\/1\.1 400 /);
  });

  test("CSRF: a client-sent X-Forwarded-Host does not make another origin same-origin", async () => {
    const u = await newUser("xfh");
    const cookie = (await signIn(srv.url, u.username, u.password))!;
    // a page on another local port (allowed by the CORS layer as localhost) claiming to be the host
    const forged = await call(srv.url, "POST", "/api/auth/tokens", { name: "x" }, { cookie, origin: "http://localhost:3999", "x-forwarded-host": "localhost:3999" });
    assert.equal(forged.status, 403);
  });

  test("pages carry a nonce-based CSP without 'unsafe-inline' for scripts, and Next's inline scripts carry the nonce", async () => {
    const r = await call(srv.url, "GET", "/login");
    assert.equal(r.status, 200);
    const csp = r.headers.get("content-security-policy") ?? "";
    const scriptSrc = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src")) ?? "";
    assert.doesNotMatch(scriptSrc, /unsafe-inline/);
    const nonce = /'nonce-([A-Za-z0-9+/=_-]+)'/.exec(scriptSrc)?.[1];
    assert.ok(nonce, csp);
    const scripts = [...r.text.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.ok(scripts.length > 0);
    for (const s of scripts) assert.ok(s.includes(`nonce="${nonce}"`), s);
    const again = await call(srv.url, "GET", "/login");
    assert.notEqual(/'nonce-([^']+)'/.exec(again.headers.get("content-security-policy") ?? "")?.[1], nonce, "a new nonce per page");
  });

  test("a forged Host header is refused before authentication (DNS rebinding), /health exempt", async () => {
    const r = await rawRequest(srv.url, "GET", "/api/2.0/mlflow/experiments/search", { host: "attacker.example:5000", ...admin });
    assert.equal(r.status, 403);
    assert.equal(r.body, "Invalid Host header - possible DNS rebinding attack detected");
    assert.equal((await rawRequest(srv.url, "GET", "/health", { host: "attacker.example" })).status, 200);
  });

  test("a cross-origin POST is blocked, a same-origin one is not; preflight is 204; headers on every answer", async () => {
    const blocked = await call(srv.url, "POST", "/api/auth/tokens", { name: "x" }, { ...admin, origin: "https://evil.example" });
    assert.equal(blocked.status, 403);
    assert.equal(blocked.text, "Cross-origin request blocked");
    assert.equal((await call(srv.url, "POST", "/api/auth/tokens", { name: "x" }, { ...admin, origin: srv.url })).status, 201);
    const pre = await call(srv.url, "OPTIONS", "/api/2.0/mlflow/experiments/create", undefined, { origin: "http://localhost:3000", "access-control-request-method": "POST" });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "http://localhost:3000");
    const h = await call(srv.url, "GET", "/health");
    assert.equal(h.headers.get("x-content-type-options"), "nosniff");
    assert.equal(h.headers.get("x-frame-options"), "SAMEORIGIN");
  });
});

describe("hooks for other route families (called in-process)", () => {
  test("grantCreatorManage gives the caller MANAGE; experimentListFilter hides NO_PERMISSIONS experiments", async () => {
    const { experimentListFilter, grantCreatorManage, experimentPermissionOf } = await import("./guard");
    const { closeDb } = await import("../db");
    const prev = process.env.FLOWTRACE_AUTH;
    process.env.FLOWTRACE_AUTH = "1";
    try {
      const u = await newUser("hooks");
      const created = await newExperiment();
      const hidden = await newExperiment();
      const req = () => ({ headers: new Headers(u.h) });
      assert.equal(await experimentPermissionOf(req(), created), "READ", "the default before the grant");
      await grantCreatorManage(req(), created);
      assert.equal(await experimentPermissionOf(req(), created), "MANAGE");
      const { rows } = await db.query(`SELECT actor, action FROM audit_events WHERE target = $1`, [`experiment:${created}`]);
      assert.deepEqual(rows, [{ actor: u.username, action: "permission.creator" }]);

      assert.equal(await experimentListFilter(req()), null, "nothing hidden yet");
      await call(srv.url, "POST", "/api/2.0/mlflow/experiments/permissions/create", { experiment_id: hidden, username: u.username, permission: "NO_PERMISSIONS" }, admin);
      assert.deepEqual(await experimentListFilter(req()), { exclude: [hidden] });
      assert.equal(await experimentListFilter({ headers: new Headers(admin) }), null, "admins see everything");
      assert.deepEqual(await experimentListFilter({ headers: new Headers() }), { include: [] });
    } finally {
      process.env.FLOWTRACE_AUTH = prev;
      await closeDb();
    }
  });
});
