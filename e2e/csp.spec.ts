// The pages run under a nonce-based Content-Security-Policy (no 'unsafe-inline' for scripts): Next's inline
// scripts carry the per-request nonce, so the pages hydrate, and Chromium reports no violation.
import { expect, test, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { http, uniqueName } from "../lib/testing/http";

function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content[ -]Security[ -]Policy/i.test(m.text())) violations.push(m.text());
  });
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return violations;
}

function scriptSrc(csp: string | undefined): string {
  return (csp ?? "").split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src")) ?? "";
}

test("home page: nonce CSP, hydrated (the Create dialog opens), no violation", async ({ page }) => {
  const violations = watchCsp(page);
  const res = await page.goto("/");
  expect(scriptSrc(res?.headers()["content-security-policy"])).toMatch(/'nonce-[^']+'/);
  expect(scriptSrc(res?.headers()["content-security-policy"])).not.toContain("unsafe-inline");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByRole("dialog", { name: "Create Experiment" })).toBeVisible();
  expect(violations).toEqual([]);
});

test("a trace page: nonce CSP, the span tree renders, no violation", async ({ page }) => {
  const e = await http<{ experiment_id: string }>("POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName("csp") });
  expect(e.status).toBe(200);
  const traceHex = randomBytes(16).toString("hex");
  const now = BigInt(Date.now()) * 1_000_000n;
  const otlp = {
    resourceSpans: [{
      resource: { attributes: [] },
      scopeSpans: [{
        spans: [
          { traceId: traceHex, spanId: randomBytes(8).toString("hex"), name: "csp-root-span", kind: 1, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 5_000_000n), status: { code: 1 } },
        ],
      }],
    }],
  };
  const sent = await http("POST", "/v1/traces", otlp, { "content-type": "application/json", "x-mlflow-experiment-id": e.json.experiment_id });
  expect(sent.status).toBe(200);
  const violations = watchCsp(page);
  const res = await page.goto(`/experiments/${e.json.experiment_id}/traces/tr-${traceHex}`);
  expect(scriptSrc(res?.headers()["content-security-policy"])).toMatch(/'nonce-[^']+'/);
  await expect(page.getByText("csp-root-span").first()).toBeVisible();
  await page.goto(`/experiments/${e.json.experiment_id}/traces`);
  await expect(page.getByText("csp-root-span").first()).toBeVisible();
  expect(violations).toEqual([]);
});
