// The prices settings page (issue #16): add an override in its dialog, look the model up, see a trace sent
// afterwards priced with it in the traces table; edit the price, re-price, see the trace's new cost.
import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { baseUrl, uniqueName } from "../lib/testing/http";

const attrs = (a: Record<string, string | number>) => Object.entries(a).map(([key, v]) => ({ key, value: typeof v === "number" ? { intValue: String(v) } : { stringValue: v } }));

test("an override added on /settings/prices prices the next trace; the page lists and looks it up; re-price applies an edit", async ({ page }) => {
  const model = "e2e-ft-" + randomBytes(3).toString("hex");
  await page.setViewportSize({ width: 1440, height: 800 });
  await page.goto("/settings/prices");
  await page.getByRole("button", { name: "Add a price" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a price" });
  await dialog.getByLabel("Model").fill(model + "*");
  await dialog.getByLabel("Input $/MTok").fill("5");
  await dialog.getByLabel("Output $/MTok").fill("20");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("price-override").filter({ hasText: model + "*" })).toContainText("$20");

  const lookup = page.getByRole("form", { name: "Look up a price" });
  await lookup.getByLabel("Model").fill(model + "-v1");
  await lookup.getByRole("button", { name: "Look up" }).click();
  await expect(page.getByTestId("price-lookup")).toContainText(`from ${model}* (an override)`);
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: `e2e/screenshots/prices-${width}.png`, fullPage: true });
  }

  const res = await fetch(baseUrl() + "/ajax-api/2.0/mlflow/experiments/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: uniqueName("ui-prices") }) });
  const { experiment_id: experimentId } = (await res.json()) as { experiment_id: string };
  const traceId = randomBytes(16).toString("hex");
  const root = randomBytes(8).toString("hex");
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const span = (spanId: string, parentSpanId: string, name: string, a: Record<string, string | number>) => ({
    traceId, spanId, parentSpanId, name, kind: 1, startTimeUnixNano: String(t0), endTimeUnixNano: String(t0 + 900_000_000n), attributes: attrs(a), status: {},
  });
  const spans = [span(root, "", "agent", {}), span(randomBytes(8).toString("hex"), root, "chat", { "gen_ai.request.model": model + "-v1", "gen_ai.usage.input_tokens": 100_000, "gen_ai.usage.output_tokens": 10_000 })];
  const post = await fetch(baseUrl() + "/v1/traces", { method: "POST", headers: { "content-type": "application/json", "x-mlflow-experiment-id": experimentId }, body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] }) });
  expect(post.status).toBe(200);
  await page.goto(`/experiments/${experimentId}/traces`);
  // 100k input at $5/M + 10k output at $20/M = $0.70
  await expect(page.locator(`tr[data-trace-id="tr-${traceId}"]`)).toContainText("$0.70");

  // a new price, re-applied to the stored trace: 100k at $10/M + 10k at $20/M = $1.20
  await page.goto("/settings/prices");
  await page.getByTestId("price-override").filter({ hasText: model + "*" }).getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: `Edit ${model}*` });
  await edit.getByLabel("Input $/MTok").fill("10");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(edit).toBeHidden();
  await page.getByRole("button", { name: "Re-price" }).click();
  await expect(page.getByTestId("reprice-progress")).toContainText("finished", { timeout: 15_000 });
  await page.screenshot({ path: "e2e/screenshots/prices-repriced-1440.png", fullPage: true });
  await page.goto(`/experiments/${experimentId}/traces`);
  await expect(page.locator(`tr[data-trace-id="tr-${traceId}"]`)).toContainText("$1.20");

  await page.goto("/settings/prices");
  await page.getByTestId("price-override").filter({ hasText: model + "*" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("price-override").filter({ hasText: model + "*" })).toHaveCount(0);
});
