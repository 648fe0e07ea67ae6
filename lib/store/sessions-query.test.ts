import assert from "node:assert/strict";
import { test } from "node:test";
import { parseFilter } from "../search/parse";
import { parseSessionListQuery, parseUserListQuery, sessionListKey, sessionTracesFilter, tracesUrl, userListKey, userTracesFilter } from "./sessions-query";

test("session list query: filters, range presets relative to now, sort, paging", () => {
  const now = 1_800_000_000_000;
  assert.deepEqual(parseSessionListQuery(new URLSearchParams("q=hello&user=u1&range=24h&errors=1&sort=turns&dir=asc&size=20&page_token=abc"), now), {
    search: "hello",
    userId: "u1",
    from: now - 86_400_000,
    to: undefined,
    hasErrors: true,
    sort: "turns",
    dir: "asc",
    pageSize: 20,
    pageToken: "abc",
  });
  const plain = parseSessionListQuery({ from: "5", to: "9", errors: "0" });
  assert.deepEqual([plain.from, plain.to, plain.hasErrors, plain.sort, plain.search], [5, 9, false, undefined, undefined]);
  assert.throws(() => parseSessionListQuery({ sort: "nope" }), /Unknown sort/);
  assert.throws(() => parseSessionListQuery({ range: "2y" }), /Unknown range/);
  assert.throws(() => parseSessionListQuery({ from: "yesterday" }), /integer/);
  assert.throws(() => parseSessionListQuery({ dir: "up" }), /asc or desc/);
  assert.throws(() => parseUserListQuery({ sort: "turns" }), /Unknown sort/);
  assert.equal(parseUserListQuery({ sort: "sessions" }).sort, "sessions");
});

test("list keys leave defaults out, so the server's first page and the browser's query agree", () => {
  assert.equal(sessionListKey({}), "");
  assert.equal(sessionListKey({ sort: "last_activity", dir: "desc" }), "");
  assert.equal(sessionListKey(new URLSearchParams("dir=asc&q=x&sort=turns")), "q=x&sort=turns&dir=asc");
  assert.equal(sessionListKey({ user: "ignored" }, "fixed"), "user=fixed");
  assert.equal(userListKey({ sort: "last_seen", q: "a" }), "q=a");
});

test("links into the trace table quote values the way the filter grammar reads them", () => {
  assert.equal(sessionTracesFilter("chat-1"), "metadata.`mlflow.trace.session` = 'chat-1'");
  assert.equal(userTracesFilter("o'brien"), "metadata.`mlflow.trace.user` = 'o\\'brien'");
  // a backslash before a quote: doubling the quote ('x\''y') read back as a syntax error; the grammar's own
  // writer round-trips every value
  for (const v of ["o'brien", "x\\'y", "a\\b", "'", "a''b"]) {
    const ast = parseFilter(userTracesFilter(v));
    assert.ok(ast.kind === "compare" && ast.value.kind === "string", v);
    assert.equal(ast.value.value, v);
  }
  assert.equal(tracesUrl("7", sessionTracesFilter("a b")), "/experiments/7/traces?filter=" + encodeURIComponent("metadata.`mlflow.trace.session` = 'a b'"));
});
