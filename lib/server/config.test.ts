import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, parseServerArgs, redactUrl } from "./config";

test("defaults match mlflow server: 127.0.0.1:5000, embedded database under the working directory", () => {
  const c = parseServerArgs([], {}, "/srv/app");
  assert.equal(c.host, "127.0.0.1");
  assert.equal(c.port, 5000);
  assert.equal(c.dataDir, "/srv/app/flowtrace-data");
  assert.equal(c.databaseUrl, undefined);
});

test("flags override environment, environment overrides defaults", () => {
  const env = { FLOWTRACE_PORT: "6000", DATABASE_URL: "postgresql://u@h/db", FLOWTRACE_HOST: "0.0.0.0" };
  assert.equal(parseServerArgs([], env).port, 6000);
  assert.equal(parseServerArgs([], env).databaseUrl, "postgresql://u@h/db");
  const c = parseServerArgs(["--port", "7000", "--host=::1", "--backend-store-uri", "postgres://x@y/z", "--data-dir", "d"], env, "/w");
  assert.deepEqual([c.port, c.host, c.databaseUrl, c.dataDir], [7000, "::1", "postgres://x@y/z", "/w/d"]);
});

test("bad input is a ConfigError with a clear message", () => {
  assert.throws(() => parseServerArgs(["--port", "abc"], {}), (e: Error) => e instanceof ConfigError && /invalid port 'abc'/.test(e.message));
  assert.throws(() => parseServerArgs(["--port", "70000"], {}), /invalid port/);
  assert.throws(() => parseServerArgs(["--backend-store-uri", "mysql://a@b/c"], {}), /unsupported database URL scheme 'mysql:'/);
  assert.throws(() => parseServerArgs(["--backend-store-uri", "not a url"], {}), /invalid database URL/);
  assert.throws(() => parseServerArgs(["--bogus"], {}), /unknown option '--bogus'/);
  assert.throws(() => parseServerArgs(["--port"], {}), /needs a value/);
});

test("passwords never appear in messages", () => {
  assert.equal(redactUrl("postgresql://me:secret@db:5432/x"), "postgresql://me:***@db:5432/x");
});

test("auth and hardening flags, with MLflow's environment names", () => {
  const d = parseServerArgs([], {});
  assert.equal(d.auth, false);
  assert.equal(d.allowedHosts, undefined);
  assert.equal(d.disableSecurityMiddleware, false);
  const c = parseServerArgs(["--auth", "--allowed-hosts", "a.example, *.b.example", "--cors-allowed-origins=https://ui.example"], {});
  assert.deepEqual([c.auth, c.allowedHosts, c.corsAllowedOrigins], [true, ["a.example", "*.b.example"], ["https://ui.example"]]);
  const e = parseServerArgs([], { FLOWTRACE_AUTH: "1", MLFLOW_SERVER_ALLOWED_HOSTS: "*", MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE: "true" });
  assert.deepEqual([e.auth, e.allowedHosts, e.disableSecurityMiddleware], [true, ["*"], true]);
  assert.equal(parseServerArgs([], { FLOWTRACE_AUTH: "0" }).auth, false);
});

test("--trusted-proxies / FLOWTRACE_TRUSTED_PROXIES: addresses and CIDRs, none by default, bad entries refused", () => {
  assert.equal(parseServerArgs([], {}).trustedProxies, undefined);
  assert.deepEqual(parseServerArgs(["--trusted-proxies", "10.0.0.0/8, ::1"], {}).trustedProxies, ["10.0.0.0/8", "::1"]);
  assert.deepEqual(parseServerArgs([], { FLOWTRACE_TRUSTED_PROXIES: "127.0.0.1" }).trustedProxies, ["127.0.0.1"]);
  assert.throws(() => parseServerArgs(["--trusted-proxies", "proxy.example"], {}), (e: Error) => e instanceof ConfigError && /invalid trusted proxy 'proxy.example'/.test(e.message));
});

test("--prices names a price file, read at start: a malformed one stops the server with the entry at fault", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "prices-"));
  writeFileSync(path.join(dir, "ok.json"), '[{"model":"my-*","input_per_mtok":1,"output_per_mtok":2}]');
  writeFileSync(path.join(dir, "bad.json"), '[{"model":"my-*","input_per_mtok":-1,"output_per_mtok":2}]');
  assert.equal(parseServerArgs(["--prices", "ok.json"], {}, dir).pricesFile, path.join(dir, "ok.json"));
  assert.equal(parseServerArgs([], { FLOWTRACE_PRICES_FILE: "ok.json" }, dir).pricesFile, path.join(dir, "ok.json"));
  assert.equal(parseServerArgs([], {}, dir).pricesFile, undefined);
  assert.throws(() => parseServerArgs(["--prices", "bad.json"], {}, dir), (e: Error) => e instanceof ConfigError && /bad\.json: at 0\.input_per_mtok/.test(e.message));
  assert.throws(() => parseServerArgs(["--prices", "missing.json"], {}, dir), (e: Error) => e instanceof ConfigError && /cannot read/.test(e.message));
  assert.throws(() => parseServerArgs([], { FLOWTRACE_PRICES: "{" }, dir), (e: Error) => e instanceof ConfigError && /FLOWTRACE_PRICES: not JSON/.test(e.message));
});
