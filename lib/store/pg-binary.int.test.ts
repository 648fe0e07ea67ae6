// Binary array parameters round-trip through PostgreSQL exactly: every kind of text and JSON value, NULLs,
// empty arrays, and the element-type check.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { closeDb, getPool } from "../db";
import { binaryTextArray, JSONB_OID, TEXT_OID } from "./pg-binary";

after(async () => {
  await closeDb();
});

test("text[] in binary: multi-byte text, quotes, backslashes, braces, commas, empty strings and NULLs come back as sent", async () => {
  const values = ["plain", "", 'a "quoted" \\ backslash', "{braces},[commas]", "日本語 ✓ é", "emoji 🧪 and lone \ud800 surrogate", null, "x".repeat(100_000), "NULL"];
  const { rows } = await getPool().query("SELECT $1::text[] AS a, cardinality($1::text[]) AS n, array_position($1::text[], NULL) AS null_at", [binaryTextArray(values)]);
  assert.equal(rows[0].n, values.length);
  assert.equal(rows[0].null_at, 7);
  assert.deepEqual(rows[0].a, values.map((v) => (v === null ? null : v.replace("\ud800", "\ufffd"))));
});

test("jsonb[] in binary: JSON texts become jsonb values; invalid JSON is refused like a text parameter", async () => {
  const docs = ['{"a": 1, "b": [true, null, "x\\u00e9"]}', "[]", '"just a string"', "12345678901234567890", null];
  const { rows } = await getPool().query("SELECT $1::jsonb[] AS a, ($1::jsonb[])[1]->'b'->>2 AS e, jsonb_typeof(($1::jsonb[])[4]) AS t", [binaryTextArray(docs, JSONB_OID)]);
  assert.deepEqual(rows[0].a, [{ a: 1, b: [true, null, "xé"] }, [], "just a string", 12345678901234567890, null]);
  assert.equal(rows[0].e, "xé");
  assert.equal(rows[0].t, "number");
  await assert.rejects(getPool().query("SELECT $1::jsonb[]", [binaryTextArray(["{not json"], JSONB_OID)]), /invalid input syntax for type json/);
});

test("empty arrays, and an element type that does not match the parameter's is refused", async () => {
  const { rows } = await getPool().query("SELECT cardinality($1::text[]) AS t, cardinality($2::jsonb[]) AS j", [binaryTextArray([]), binaryTextArray([], JSONB_OID)]);
  assert.deepEqual(rows[0], { t: 0, j: 0 });
  await assert.rejects(getPool().query("SELECT $1::jsonb[]", [binaryTextArray(["{}"], TEXT_OID)]), /element type/);
});
