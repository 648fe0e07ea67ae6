// The wire spellings MLflow's clients read: value keys and time buckets.
import assert from "node:assert/strict";
import { test } from "node:test";
import { aggregationKey } from "./catalog";
import { bucketIso } from "./queryTraceMetrics";

test("value keys: the aggregation's name, a percentile as P<value> with Python's float spelling", () => {
  assert.equal(aggregationKey("AVG"), "AVG");
  assert.equal(aggregationKey("COUNT"), "COUNT");
  assert.equal(aggregationKey("PERCENTILE", 50), "P50.0");
  assert.equal(aggregationKey("PERCENTILE", 99.9), "P99.9");
  assert.equal(aggregationKey("PERCENTILE", 0), "P0.0");
});

test("time buckets read as datetime.isoformat() in UTC", () => {
  assert.equal(bucketIso(Date.UTC(2026, 0, 1, 3)), "2026-01-01T03:00:00+00:00");
  assert.equal(bucketIso(Date.UTC(2026, 0, 1, 3, 0, 0, 250)), "2026-01-01T03:00:00.250000+00:00");
  assert.equal(bucketIso(0), "1970-01-01T00:00:00+00:00");
});
