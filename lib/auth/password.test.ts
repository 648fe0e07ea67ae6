import assert from "node:assert/strict";
import { test } from "node:test";
import { hashPassword, passwordProblem, verifyPassword } from "./password";

test("scrypt hashes verify the right password only, with a fresh salt each time", async () => {
  const h1 = await hashPassword("correct horse battery");
  const h2 = await hashPassword("correct horse battery");
  assert.match(h1, /^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.notEqual(h1, h2);
  assert.equal(await verifyPassword("correct horse battery", h1), true);
  assert.equal(await verifyPassword("correct horse batterY", h1), false);
  assert.equal(await verifyPassword("", h1), false);
});

test("missing or malformed hashes never verify and never throw", async () => {
  assert.equal(await verifyPassword("x", null), false);
  assert.equal(await verifyPassword("x", undefined), false);
  assert.equal(await verifyPassword("x", "plaintext"), false);
  assert.equal(await verifyPassword("x", "scrypt$40$8$1$AAAA$AAAA"), false);
});

test("password policy", () => {
  assert.match(passwordProblem("short") ?? "", /at least 8/);
  assert.equal(passwordProblem("long enough"), undefined);
  assert.ok(passwordProblem(undefined));
});
