// classifyInputError: the safety net that turns database data errors and stack overflows into 400s.
import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyInputError } from "./errors";

test("PostgreSQL data errors (pg, Prisma's driver adapter, its rendered message) are 400 INVALID_PARAMETER_VALUE", () => {
  const cases: [unknown, RegExp][] = [
    [Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" }), /NUL character.*22021/],
    [Object.assign(new Error("unsupported Unicode escape sequence"), { code: "22P05" }), /22P05/],
    [Object.assign(new Error("value out of range for type bigint"), { code: "22003" }), /out of range/],
    [Object.assign(new Error("invalid input syntax for type bigint"), { code: "22P02" }), /valid format/],
    [Object.assign(new Error("stack depth limit exceeded"), { code: "54001" }), /nested too deeply/],
    [Object.assign(new Error("invalid regular expression"), { code: "2201B" }), /regular expression/],
    [Object.assign(new Error("x"), { code: "P2020" }), /out of range/],
    [Object.assign(new Error("x"), { code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "22021" } } } }), /22021/],
    [new Error("Invalid `prisma.user.findUnique()` invocation:\n\nDatabase error. Code: `22021`. Message: `invalid byte sequence`"), /22021/],
    [new RangeError("Maximum call stack size exceeded"), /nested too deeply/],
  ];
  for (const [err, message] of cases) {
    const mapped = classifyInputError(err);
    assert.ok(mapped, String(err));
    assert.equal(mapped.status, 400);
    assert.equal(mapped.code, "INVALID_PARAMETER_VALUE");
    assert.match(mapped.message, message);
  }
});

test("everything else is left to the caller (500, or 503 for an unreachable database)", () => {
  for (const err of [new Error("boom"), Object.assign(new Error("terminating connection"), { code: "57P01" }), Object.assign(new Error("x"), { code: "ECONNREFUSED" }), Object.assign(new Error("dup"), { code: "23505" }), new TypeError("x"), null, "text"]) {
    assert.equal(classifyInputError(err), null, String(err));
  }
});
