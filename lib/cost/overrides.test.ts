import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PriceFileError, parsePriceOverrides, priceOverridesFromEnv } from "./overrides";
import { PriceBook } from "./prices";

test("a price file's entries become overrides the price book applies first", () => {
  const o = parsePriceOverrides('[{"model":"my-ft-*","input_per_mtok":3,"output_per_mtok":6,"cache_read_per_mtok":0.3},{"model":"gpt-4o-mini","provider":"azure","input_per_mtok":1,"output_per_mtok":2}]', "prices.json");
  assert.deepEqual(o[0], { model: "my-ft-*", provider: undefined, rates: { inputPerMTok: 3, outputPerMTok: 6, cacheReadPerMTok: 0.3, cacheWritePerMTok: undefined } });
  const c = new PriceBook(o).cost("my-ft-7", undefined, { input: 1_000_000, output: 0 })!;
  assert.equal(c.inputCost, 3);
  assert.equal(c.source, "override");
});

test("a malformed price file is refused with the entry and field at fault", () => {
  for (const [text, re] of [
    ["{", /prices\.json: not JSON/],
    ['{"model":"x"}', /prices\.json: .*array/i],
    ['[{"model":"x","input_per_mtok":-1,"output_per_mtok":1}]', /at 0\.input_per_mtok/],
    ['[{"model":"x","input_per_mtok":1}]', /at 0\.output_per_mtok/],
    ['[{"model":"","input_per_mtok":1,"output_per_mtok":1}]', /at 0\.model/],
    ['[{"model":"x","input_per_mtok":1,"output_per_mtok":1,"inptu":2}]', /inptu/],
  ] as const) {
    assert.throws(() => parsePriceOverrides(text, "prices.json"), (e: Error) => e instanceof PriceFileError && re.test(e.message), text);
  }
});

test("FLOWTRACE_PRICES comes before FLOWTRACE_PRICES_FILE; an unreadable file says which", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ft-prices-"));
  const f = path.join(dir, "prices.json");
  writeFileSync(f, '[{"model":"a","input_per_mtok":2,"output_per_mtok":2}]');
  const o = priceOverridesFromEnv({ FLOWTRACE_PRICES: '[{"model":"a","input_per_mtok":1,"output_per_mtok":1}]', FLOWTRACE_PRICES_FILE: f });
  assert.deepEqual(o.map((x) => x.rates.inputPerMTok), [1, 2]);
  assert.equal(new PriceBook(o).cost("a", undefined, { input: 1e6, output: 0 })!.inputCost, 1);
  assert.deepEqual(priceOverridesFromEnv({}), []);
  assert.throws(() => priceOverridesFromEnv({ FLOWTRACE_PRICES_FILE: path.join(dir, "missing.json") }), /cannot read .*missing\.json \(ENOENT\)/);
});
