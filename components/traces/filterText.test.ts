import assert from "node:assert/strict";
import { test } from "node:test";
import { clauseValue, errorColumn, sessionClause, setClause, splitAnd } from "./filterText";

test("splitAnd splits only at top-level AND", () => {
  assert.deepEqual(splitAnd("trace.status = 'OK' AND tag.k = 'a AND b' and (x = 1 AND y = 2)"), ["trace.status = 'OK'", "tag.k = 'a AND b'", "(x = 1 AND y = 2)"]);
  assert.deepEqual(splitAnd(""), []);
});

test("setClause replaces the clause on the same field and keeps the rest", () => {
  const f = "trace.status = 'OK' AND span.type = 'LLM'";
  assert.equal(setClause(f, "status", "trace.status = 'ERROR'"), "span.type = 'LLM' AND trace.status = 'ERROR'");
  assert.equal(setClause(f, "status", null), "span.type = 'LLM'");
  assert.equal(setClause("", "span.type", "span.type = 'TOOL'"), "span.type = 'TOOL'");
  const s = setClause("", "metadata.mlflow.trace.session", sessionClause("s'1"));
  assert.equal(s, "metadata.`mlflow.trace.session` = 's\\'1'");
  assert.equal(clauseValue(s, "metadata.mlflow.trace.session"), "s'1");
  assert.equal(setClause(s, "metadata.mlflow.trace.session", null), "");
});

test("clauseValue and errorColumn", () => {
  assert.equal(clauseValue("status = 'ERROR'", "status"), "ERROR");
  assert.equal(clauseValue("trace.status != 'ERROR'", "status"), null);
  assert.equal(errorColumn("Invalid filter: unexpected token 'AN' at column 17"), 17);
  assert.equal(errorColumn("nothing"), null);
});
