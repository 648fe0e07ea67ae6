import assert from "node:assert/strict";
import { test } from "node:test";
import { ACCOUNT_CAP_MS, ADDRESS_THROTTLE, attemptKeys, backoffMs, decide, PAIR_CAP_MS, PAIR_FREE, WINDOW_MS } from "./rate-limit";

const NOW = 1_800_000_000_000;
const fresh = { windowStart: NOW, failures: 0, lockedUntil: 0 };

test("backoff: free attempts, then doubling up to the cap", () => {
  assert.equal(backoffMs(PAIR_FREE - 1, PAIR_FREE, 15_000, PAIR_CAP_MS), 0);
  assert.equal(backoffMs(PAIR_FREE, PAIR_FREE, 15_000, PAIR_CAP_MS), 15_000);
  assert.equal(backoffMs(PAIR_FREE + 2, PAIR_FREE, 15_000, PAIR_CAP_MS), 60_000);
  assert.equal(backoffMs(PAIR_FREE + 50, PAIR_FREE, 15_000, PAIR_CAP_MS), PAIR_CAP_MS);
  assert.equal(backoffMs(10_000, 10, 1_000, ACCOUNT_CAP_MS), ACCOUNT_CAP_MS);
});

test("a throttled address keeps its correct-password sign-ins for accounts it has not failed on", () => {
  const throttled = { windowStart: NOW - 1000, failures: ADDRESS_THROTTLE + 70, lockedUntil: 0 };
  assert.deepEqual(decide(fresh, fresh, throttled, NOW), { allowed: true });
  const failedOnce = { windowStart: NOW - 1000, failures: 1, lockedUntil: 0 };
  const d = decide(failedOnce, failedOnce, throttled, NOW);
  assert.equal(d.allowed, false);
  assert.ok(!d.allowed && d.retryAfterMs > 0 && d.retryAfterMs <= WINDOW_MS);
  assert.deepEqual(decide(failedOnce, failedOnce, { ...throttled, failures: ADDRESS_THROTTLE - 1 }, NOW), { allowed: true }, "below the threshold: normal backoff rules");
});

test("locks: the longer of the account+address and the account backoff", () => {
  const pair = { windowStart: NOW, failures: 6, lockedUntil: NOW + 30_000 };
  const account = { windowStart: NOW, failures: 11, lockedUntil: NOW + 2_000 };
  assert.deepEqual(decide(pair, account, fresh, NOW), { allowed: false, retryAfterMs: 30_000 });
  assert.deepEqual(decide(fresh, account, fresh, NOW), { allowed: false, retryAfterMs: 2_000 });
  assert.deepEqual(decide({ ...pair, lockedUntil: NOW - 1 }, fresh, fresh, NOW), { allowed: true }, "a lock that ended");
});

test("keys: case-insensitive names, bounded and storable (no NUL)", () => {
  assert.deepEqual(attemptKeys("Admin", "10.0.0.1"), { pair: "user:admin|ip:10.0.0.1", account: "user:admin", ip: "ip:10.0.0.1" });
  const k = attemptKeys("a\u0000b".padEnd(500, "x"), undefined);
  assert.ok(!k.account.includes("\u0000") && k.account.length <= 5 + 128);
  assert.equal(k.ip, "ip:unknown");
});
