import { test } from "node:test";
import assert from "node:assert/strict";
import { calcPrice } from "@pydantic/genai-prices";
import { readFileSync } from "node:fs";
import { PRICE_TABLE, PriceBook, costAt } from "./prices";

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 + Math.abs(b) * 1e-9, `${what}: ${a} vs ${b}`);

// models clients send every day, under the provider names GenAI semconv and OpenInference use
const MODELS: [string, string | undefined][] = [
  ["gpt-4o-mini", "openai"], ["gpt-4o", "openai"], ["gpt-4o-2024-08-06", undefined], ["gpt-4.1", "openai"],
  ["gpt-3.5-turbo", undefined], ["o3-mini", "openai"], ["claude-3-5-sonnet-20241022", "anthropic"],
  ["claude-sonnet-4-20250514", "anthropic"], ["claude-3-haiku-20240307", undefined], ["gemini-1.5-flash", "google"],
  ["gemini-2.5-pro", "gcp.vertex_ai"], ["mistral-large-latest", "mistral"], ["deepseek-chat", "deepseek"],
  ["llama-3.1-8b-instant", "groq"], ["command-r-plus", "cohere"],
];

test("the direct per-token path gives calcPrice's figures, cached input included, for common models", () => {
  const book = new PriceBook();
  let priced = 0;
  for (const [model, provider] of MODELS) {
    for (const [input, output, cacheRead, cacheWrite] of [[1000, 100, 0, 0], [250_000, 4000, 100_000, 0], [4740, 255, 0, 4735], [7, 0, 7, 0]]) {
      const got = book.cost(model, provider, { input, output, cacheRead, cacheWrite });
      const want = calcPrice({ input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite }, model);
      if (!want) continue;
      assert.ok(got, `${model} is in the table`);
      close(got.inputCost, want.input_price, `${model} input`);
      close(got.outputCost, want.output_price, `${model} output`);
      close(got.totalCost, want.total_price, `${model} total`);
      priced++;
    }
  }
  assert.ok(priced >= 40, `most models priced (${priced})`);
});

test("a known price: gpt-4o-mini at $0.15/M input, $0.075/M cached input, $0.60/M output", () => {
  const c = new PriceBook().cost("gpt-4o-mini", "openai", { input: 1_000_000, output: 1_000_000, cacheRead: 400_000 })!;
  close(c.inputCost, 0.6 * 0.15 + 0.4 * 0.075, "input");
  close(c.outputCost, 0.6, "output");
  assert.equal(c.source, PRICE_TABLE);
  const installed = JSON.parse(readFileSync("node_modules/@pydantic/genai-prices/package.json", "utf8")).version;
  assert.equal(PRICE_TABLE, `genai-prices@${installed}`, "PRICE_TABLE names the installed table");
  assert.equal(c.priced, "openai/gpt-4o-mini");
});

test("model names are matched case-insensitively and a gateway's unknown provider name does not hide the model", () => {
  const book = new PriceBook();
  const a = book.cost("GPT-4o-mini", "my-gateway", { input: 1000, output: 10 });
  const b = book.cost("gpt-4o-mini", undefined, { input: 1000, output: 10 });
  assert.ok(a && b);
  assert.equal(a.totalCost, b.totalCost);
  assert.equal(book.cost("no-such-model-xyz", "openai", { input: 1, output: 1 }), null);
  assert.equal(book.cost("  ", "openai", { input: 1, output: 1 }), null);
});

test("tiered prices go through the table's own calculation (gemini-2.5-pro doubles above 200k input)", () => {
  const book = new PriceBook();
  const small = book.cost("gemini-2.5-pro", "google", { input: 100_000, output: 0 })!;
  const big = book.cost("gemini-2.5-pro", "google", { input: 300_000, output: 0 })!;
  assert.ok(big.inputCost / 300_000 > (small.inputCost / 100_000) * 1.5, "the upper tier's price applies");
});

test("overrides win over the table, by exact name or prefix, optionally per provider, in their order", () => {
  const book = new PriceBook([
    { model: "gpt-4o-mini", provider: "azure", rates: { inputPerMTok: 1, outputPerMTok: 2 } },
    { model: "my-finetune-*", rates: { inputPerMTok: 3, outputPerMTok: 6, cacheReadPerMTok: 0.3 } },
  ]);
  const azure = book.cost("gpt-4o-mini", "azure", { input: 1_000_000, output: 1_000_000 })!;
  assert.deepEqual([azure.inputCost, azure.outputCost, azure.source, azure.priced], [1, 2, "override", "gpt-4o-mini"]);
  assert.equal(book.cost("gpt-4o-mini", "openai", { input: 1_000_000, output: 0 })!.source, PRICE_TABLE, "the override is for azure only");
  const ft = book.cost("My-Finetune-v2", undefined, { input: 2_000_000, output: 500_000, cacheRead: 1_000_000 })!;
  close(ft.inputCost, 3 + 0.3, "prefix override with a cached-input price");
  close(ft.outputCost, 3, "output");
});

test("costAt: cached counts above the input are clamped, not negative", () => {
  const c = costAt({ inputPerMTok: 1, outputPerMTok: 1, cacheReadPerMTok: 0.5 }, { input: 100, output: 0, cacheRead: 500 });
  close(c.inputCost, 100 * 0.5 / 1e6, "all input read from cache");
});
