import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStringMap } from "./params";

test("parseStringMap: maps, key/value lists, null and stringified values", () => {
  assert.deepEqual(parseStringMap(null), {});
  assert.deepEqual(parseStringMap(undefined), {});
  assert.deepEqual(parseStringMap({ a: "1", b: 2, c: true, d: null, e: { x: [1] }, f: 12345678901234567890n }), { a: "1", b: "2", c: "true", e: '{"x":[1]}', f: "12345678901234567890" });
  assert.deepEqual(parseStringMap([{ key: "k", value: "v" }, null, { key: "n", value: "" }]), { k: "v", n: "" });
  assert.equal(parseStringMap([{ key: "k", value: 1 }]), null, "a list's values must be strings");
  assert.equal(parseStringMap("text"), null);
  assert.equal(parseStringMap(7), null);
});

test("parseStringMap: a __proto__ key is an own entry, never the prototype", () => {
  const m = parseStringMap(JSON.parse('{"__proto__": "x", "a": "b"}'))!;
  assert.equal(Object.getPrototypeOf(m), Object.prototype);
  assert.deepEqual(Object.entries(m), [["__proto__", "x"], ["a", "b"]]);
  const l = parseStringMap([{ key: "__proto__", value: "y" }])!;
  assert.equal(Object.getPrototypeOf(l), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(l, "__proto__")?.value, "y");
});
