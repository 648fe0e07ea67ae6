// Cost on screen (issue #16): a priced LLM span shows its cost in the traces table's Cost column, the trace
// header and the span header (with model and tokens); an unknown model shows "—", never $0.
import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { baseUrl, uniqueName } from "../lib/testing/http";

const attrs = (a: Record<string, string | number>) => Object.entries(a).map(([key, v]) => ({ key, value: typeof v === "number" ? { intValue: String(v) } : { stringValue: v } }));

function trace(name: string, llm: Record<string, string | number>) {
  const traceId = randomBytes(16).toString("hex");
  const root = randomBytes(8).toString("hex");
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const span = (spanId: string, parentSpanId: string, n: string, a: Record<string, string | number>) => ({
    traceId, spanId, parentSpanId, name: n, kind: 1, startTimeUnixNano: String(t0), endTimeUnixNano: String(t0 + 900_000_000n), attributes: attrs(a), status: {},
  });
  return { id: "tr-" + traceId, spans: [span(root, "", name, { "gen_ai.operation.name": "invoke_agent" }), span(randomBytes(8).toString("hex"), root, "chat gpt", llm)] };
}

test("the Cost column, the trace header and the span header show a priced call's cost", async ({ page }) => {
  const res = await fetch(baseUrl() + "/ajax-api/2.0/mlflow/experiments/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: uniqueName("ui-cost") }) });
  const { experiment_id: experimentId } = (await res.json()) as { experiment_id: string };
  const priced = trace("priced", { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.provider.name": "openai", "gen_ai.usage.input_tokens": 120_000, "gen_ai.usage.output_tokens": 8000 });
  const unknown = trace("unknown", { "gen_ai.operation.name": "chat", "gen_ai.request.model": "in-house-llm", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 1 });
  const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: "e2e" }, spans: [...priced.spans, ...unknown.spans] }] }] };
  const post = await fetch(baseUrl() + "/v1/traces", { method: "POST", headers: { "content-type": "application/json", "x-mlflow-experiment-id": experimentId }, body: JSON.stringify(body) });
  expect(post.status).toBe(200);

  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`/experiments/${experimentId}/traces`);
    await expect(page.getByRole("columnheader", { name: "Cost" })).toBeVisible();
    // gpt-4o: 120k input at $2.50/M + 8k output at $10/M = $0.38
    await expect(page.locator(`tr[data-trace-id="${priced.id}"]`)).toContainText("$0.38");
    await expect(page.locator(`tr[data-trace-id="${unknown.id}"]`)).not.toContainText("$");
    await page.screenshot({ path: `e2e/screenshots/cost-traces-${width}.png` });

    await page.goto(`/experiments/${experimentId}/traces/${priced.id}`);
    await expect(page.getByTestId("trace-cost")).toHaveText("$0.38");
    await page.getByTestId("span-tree").getByRole("treeitem").filter({ hasText: "chat gpt" }).click();
    const header = page.getByTestId("span-detail");
    await expect(header).toContainText("gpt-4o");
    await expect(header).toContainText("128,000");
    await expect(header.getByTestId("span-cost")).toHaveAttribute("title", /price table genai-prices@/);
    await page.screenshot({ path: `e2e/screenshots/cost-trace-${width}.png` });
  }
  await page.goto(`/experiments/${experimentId}/traces/${unknown.id}`);
  await expect(page.getByTestId("trace-cost")).toHaveText("—");
});
