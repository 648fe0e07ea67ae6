import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizeSkeleton } from "./skeleton";
import { indexSkeleton, visibleRows } from "./SpanTree";

const raw = {
  traceId: "tr-1",
  baseNs: "1000000000",
  ids: ["c", "a", "b", "d", "e"],
  parentIds: ["a", null, "a", "b", "missing"],
  names: ["C", "A", "B", "D", "E"],
  types: ["LLM", "AGENT", "TOOL", null, "CHAIN"],
  starts: [7, 5, 6, 6.5, 8],
  ends: [9, 12, 7, null, 8.5],
  status: ["OK", "OK", "ERROR", "UNSET", "OK"],
};

test("normalizeSkeleton orders by start time, links parents by index, and starts the clock at 0", () => {
  const sk = normalizeSkeleton(raw);
  assert.deepEqual(sk.ids, ["a", "b", "d", "c", "e"]);
  assert.deepEqual(sk.parents, [-1, 0, 1, 0, -1]);
  assert.deepEqual(sk.starts, [0, 1, 1.5, 2, 3]);
  assert.deepEqual(sk.ends, [7, 2, null, 4, 3.5]);
  assert.deepEqual(sk.status, ["OK", "ERROR", "UNSET", "OK", "OK"]);
});

test("the tree index gives depth-first rows and hides collapsed subtrees", () => {
  const sk = normalizeSkeleton(raw);
  const idx = indexSkeleton(sk);
  assert.deepEqual(idx.roots, [0, 4]);
  assert.deepEqual([...idx.depth], [0, 1, 2, 1, 0]);
  assert.equal(idx.total, 7);
  assert.deepEqual(visibleRows(idx, new Set()), [0, 1, 2, 3, 4]);
  assert.deepEqual(visibleRows(idx, new Set([1])), [0, 1, 3, 4]);
  assert.deepEqual(visibleRows(idx, new Set([0])), [0, 4]);
});

test("a parent cycle in bad data does not hang the tree", () => {
  const sk = normalizeSkeleton({ ...raw, ids: ["x", "y"], parentIds: ["y", "x"], names: ["X", "Y"], types: [null, null], starts: [1, 2], ends: [3, 4], status: ["OK", "OK"] });
  const idx = indexSkeleton(sk);
  assert.deepEqual(visibleRows(idx, new Set()), [0, 1]);
});

test("a 50,000-span skeleton normalizes and flattens completely", () => {
  const n = 50_000;
  const ids = Array.from({ length: n }, (_, k) => k.toString(16).padStart(16, "0"));
  const big = {
    traceId: "tr-big",
    baseNs: "0",
    ids,
    parentIds: ids.map((_, k) => (k ? ids[Math.floor((k - 1) / 4)] : null)),
    names: ids.map((_, k) => `span_${k}`),
    types: ids.map(() => "LLM"),
    starts: ids.map((_, k) => k),
    ends: ids.map((_, k) => k + 5),
    status: ids.map(() => "OK"),
  };
  const sk = normalizeSkeleton(big);
  const idx = indexSkeleton(sk);
  const rows = visibleRows(idx, new Set());
  assert.equal(rows.length, n);
  assert.equal(Math.max(...idx.depth), 8);
  assert.equal(rows[rows.length - 1], 21844);
});
