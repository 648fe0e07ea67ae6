import assert from "node:assert/strict";
import { test } from "node:test";
import { decimalSum } from "./ingest";

test("decimalSum adds JSON numbers exactly, as PostgreSQL's numeric sum does", () => {
  assert.equal(decimalSum([]), null);
  assert.equal(decimalSum([0.1, 0.2]), "0.3");
  assert.equal(decimalSum([1, 2, 3]), "6");
  assert.equal(decimalSum([1e-7, 2e-7]), "0.0000003");
  assert.equal(decimalSum([1.5e21, 1]), "1500000000000000000001");
  assert.equal(decimalSum([-0.5, 0.25]), "-0.25");
  assert.equal(decimalSum([-1, 1]), "0");
  assert.equal(decimalSum([123.456, -0.006]), "123.450");
});
