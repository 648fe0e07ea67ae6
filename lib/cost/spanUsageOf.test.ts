import assert from "node:assert/strict";
import { test } from "node:test";
import { spanUsageOf } from "./spanUsageOf";

test("the span header's usage: model, tokens, cost and the cost's source; nothing for a span without them", () => {
  const priced = spanUsageOf({
    "mlflow.llm.model": "gpt-4o-mini",
    "mlflow.chat.tokenUsage": { input_tokens: 100, output_tokens: 10, total_tokens: 110, cache_read_input_tokens: 60 },
    "mlflow.llm.cost": { input_cost: 0.1, output_cost: 0.2, total_cost: 0.3 },
    "flowtrace.cost.source": "genai-prices@0.1.8",
  });
  assert.deepEqual(priced, { model: "gpt-4o-mini", input: 100, output: 10, total: 110, cacheRead: 60, cost: 0.3, costSource: "priced by flowtrace from the price table genai-prices@0.1.8" });
  assert.equal(spanUsageOf({ "mlflow.llm.cost": '{"total_cost":1}' })?.costSource, "sent by the client (mlflow.llm.cost)");
  assert.equal(spanUsageOf({ "mlflow.llm.cost": { total_cost: 1 }, "flowtrace.cost.source": "override" })?.costSource, "priced by flowtrace from your price override");
  const unpriced = spanUsageOf({ "mlflow.llm.model": "no-such-model", "mlflow.chat.tokenUsage": { input_tokens: 1, output_tokens: 2, total_tokens: 3 } });
  assert.equal(unpriced?.cost, null, "an unknown model's cost is unknown, not 0");
  assert.equal(spanUsageOf({ "http.method": "GET" }), null);
});
