// parseJson quotes unsafe integer literals before native parsing; lossless-json (a JavaScript JSON parser
// that hands every number literal to a callback) is the oracle it must agree with.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse as parseLossless } from "lossless-json";
import { parseJson, stringifyJson } from "./json";

function oracle(text: string): unknown {
  return parseLossless(text, null, (t: string) => {
    if (/^-?\d+$/.test(t)) {
      const n = Number(t);
      return Number.isSafeInteger(n) ? n : BigInt(t);
    }
    return Number(t);
  });
}

test("integers outside the safe range come back as exact bigint, everywhere in the document", () => {
  const v = parseJson('{"a": 1795600800000000123, "b": [-9223372036854775808, 18446744073709551615], "c": {"d": 9007199254740993}}') as any;
  assert.equal(v.a, 1795600800000000123n);
  assert.deepEqual(v.b, [-9223372036854775808n, 18446744073709551615n]);
  assert.equal(v.c.d, 9007199254740993n);
  assert.equal(parseJson("12345678901234567890"), 12345678901234567890n);
});

test("safe integers, fractions and exponents with long digit runs stay numbers", () => {
  const v = parseJson('{"safe": 9007199254740991, "neg": -9007199254740991, "f": 0.12345678901234567890, "g": 1234567890123456789.5, "e": 12345678901234567890e2, "x": 1.5E+300}') as any;
  assert.deepEqual(v, { safe: 9007199254740991, neg: -9007199254740991, f: 0.1234567890123456789, g: 1234567890123456789.5, e: 12345678901234567890e2, x: 1.5e300 });
});

test("digits inside strings are never touched, with escaped quotes and backslashes around them", () => {
  const text = String.raw`{"s": "12345678901234567890", "t": "a \"12345678901234567890\" b", "u": "ends with backslash \\", "n": 12345678901234567890, "k\"12345678901234567890": "\\\"", "w": "\\"}`;
  const v = parseJson(text) as any;
  assert.equal(v.s, "12345678901234567890");
  assert.equal(v.t, 'a "12345678901234567890" b');
  assert.equal(v.u, "ends with backslash \\");
  assert.equal(v.n, 12345678901234567890n);
  assert.equal(v['k"12345678901234567890'], '\\"');
  assert.equal(v.w, "\\");
});

test("malformed documents still throw SyntaxError", () => {
  for (const bad of ['{"a": 12345678901234567890', '{"a": "12345678901234567890}', "[12345678901234567890,]", '{"a": 123456789012345678901 x}', "--12345678901234567890"]) {
    assert.throws(() => parseJson(bad), SyntaxError, bad);
  }
});

test("an own __proto__ key stays an own key and does not become the prototype", () => {
  const v = parseJson('{"__proto__": {"polluted": 12345678901234567890}, "n": 12345678901234567890}') as any;
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.equal(v.polluted, undefined);
  assert.equal(Object.getOwnPropertyDescriptor(v, "__proto__")?.value.polluted, 12345678901234567890n);
});

test("agrees with the oracle on 3,000 random documents", () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
  const digits = (n: number) => Array.from({ length: n }, (_, i) => String(i === 0 ? 1 + rnd(9) : rnd(10))).join("");
  const chars = ["a", "1", "9", '\\"', "\\\\", "\\n", "\\u00e9", "é", "日", "\\u0000", " ", "-", "e"];
  const str = () => '"' + Array.from({ length: rnd(24) }, () => (rnd(3) === 0 ? digits(1 + rnd(22)) : chars[rnd(chars.length)])).join("") + '"';
  const num = () => {
    const sign = rnd(3) === 0 ? "-" : "";
    switch (rnd(6)) {
      case 0: return sign + digits(1 + rnd(25));
      case 1: return sign + digits(1 + rnd(20)) + "." + digits(1 + rnd(20));
      case 2: return sign + digits(1 + rnd(20)) + (rnd(2) ? "e" : "E") + (rnd(2) ? "+" : "-") + digits(1 + rnd(2));
      case 3: return sign + "0";
      case 4: return sign + "0." + digits(1 + rnd(20));
      default: return sign + digits(16 + rnd(4));
    }
  };
  const value = (depth: number): string => {
    const k = depth > 3 ? rnd(4) : rnd(7);
    if (k === 0) return num();
    if (k === 1) return str();
    if (k === 2) return ["true", "false", "null"][rnd(3)];
    if (k === 3) return num();
    if (k === 4) return "[" + Array.from({ length: rnd(5) }, () => value(depth + 1)).join(rnd(2) ? "," : " , ") + "]";
    // (distinct keys: the oracle rejects duplicates, which JSON.parse — like MLflow's Python server — accepts, last one winning)
    return "{" + Array.from({ length: rnd(5) }, (_, j) => `${str().slice(0, -1)}#${j}":${value(depth + 1)}`).join(",\n") + "}";
  };
  let withBig = 0;
  for (let i = 0; i < 3000; i++) {
    const text = value(0);
    const expected = oracle(text);
    assert.deepEqual(parseJson(text), expected, text);
    if (/\d{16}/.test(text) && stringifyJson(expected) !== JSON.stringify(expected, (_k, x) => (typeof x === "bigint" ? Number(x) : x))) withBig++;
  }
  assert.ok(withBig > 300, `the documents exercise unsafe integers (${withBig})`);
});

test("duplicate keys: the last one wins, as in JSON.parse and MLflow's Python server", () => {
  assert.deepEqual(parseJson('{"a": 1, "a": 12345678901234567890}'), { a: 12345678901234567890n });
});

test("stringifyJson(parseJson(x)) round-trips unsafe integers digit for digit", () => {
  const text = '{"start_time_unix_nano":1795600800000000123,"values":[-18446744073709551615,1,2.5,"9007199254740993"]}';
  assert.equal(stringifyJson(parseJson(text)), text);
});
