import assert from "node:assert/strict";
import { test } from "node:test";
import { parseFilter } from "@/lib/search/parse";
import { FILTER_UI_FIELDS } from "@/lib/search/fields";
import { clauseValue, errorColumn, filterUiClause, quote, sessionClause, setClause, splitAnd } from "./filterText";

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

// Quick filters write values with quote() and read them back with clauseValue(); the search reads them with
// lib/search/parse.ts. All three must agree, or a quick filter searches for something other than it shows.
test("a quoted value reaches the search unchanged, backslashes included", () => {
  for (const v of ["a\\b", "C:\\dir\\x", "it's", "a\\'b", "%_\\%", '"q"', "''", "", "日本\\語"]) {
    const clause = `trace.name = ${quote(v)}`;
    const ast = parseFilter(clause);
    assert.equal(ast.kind === "compare" && ast.value.kind === "string" ? ast.value.value : undefined, v, clause);
    const filter = setClause("trace.status = 'OK'", "name", clause);
    assert.equal(clauseValue(filter, "name"), v, filter);
    assert.equal(clauseValue(setClause(filter, "status", null), "name"), v);
  }
  assert.equal(quote("a\\b"), "'a\\b'");
});

test("splitAnd does not end a string at an escaped quote", () => {
  assert.deepEqual(splitAnd("tag.k = 'it\\'s AND more' AND trace.status = 'OK'"), ["tag.k = 'it\\'s AND more'", "trace.status = 'OK'"]);
});

test("a value ending in a backslash has no literal: it fails to parse instead of searching for something else", () => {
  assert.throws(() => parseFilter(`trace.name = ${quote("a\\")}`), /Unterminated string/);
});

test("the Add filter entries write the clauses they wrote before the registry drove them", () => {
  const byId = (id: string) => FILTER_UI_FIELDS.find((f) => f.id === id)!;
  assert.deepEqual(filterUiClause(byId("session"), "s'1"), { field: "metadata.mlflow.trace.session", clause: sessionClause("s'1") });
  assert.deepEqual(filterUiClause(byId("user"), "u1"), { field: "metadata.mlflow.trace.user", clause: "metadata.`mlflow.trace.user` = 'u1'" });
  assert.deepEqual(filterUiClause(byId("tag"), "yes", "reviewed"), { field: "tag.reviewed", clause: "tag.`reviewed` = 'yes'" });
  assert.deepEqual(filterUiClause(byId("name"), "chat"), { field: "name", clause: "trace.name = 'chat'" });
  assert.deepEqual(filterUiClause(byId("span.name"), "llm"), { field: "span.name", clause: "span.name = 'llm'" });
  assert.deepEqual(filterUiClause(byId("text"), "a\\b"), { field: "text", clause: "trace.text ILIKE '%a\\b%'" });
  // a chip reads the value back from the clause it wrote
  const { field, clause } = filterUiClause(byId("session"), "C:\\s");
  assert.equal(clauseValue(setClause("", field, clause), field), "C:\\s");
});
