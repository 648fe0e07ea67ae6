// Conventions end to end: a plain OpenTelemetry GenAI app (no MLflow keys), whose model call failed after
// the user's message arrived as a gen_ai.user.message span event. The span opens on its Chat tab
// (issue #18: a lone event message gave no Chat tab).
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { http, uniqueName } from "../lib/testing/http";

const hex = (n: number) => randomBytes(n).toString("hex");
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();

/** A new experiment holding `spans` sent by OTLP/JSON as service `name`; its id. */
async function experimentWithSpans(name: string, spans: object[]): Promise<string> {
  const created = await http("POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName(name) });
  expect(created.status, created.text).toBe(200);
  const exp: string = created.json.experiment_id;
  const body = { resourceSpans: [{ resource: { attributes: [str("service.name", name)] }, scopeSpans: [{ scope: { name }, spans }] }] };
  const r = await http("POST", "/v1/traces", body, { "x-mlflow-experiment-id": exp });
  expect(r.status, r.text).toBe(200);
  return exp;
}

test("an error span whose user message came as a gen_ai.user.message event opens on its Chat tab", async ({ page }) => {
  const traceId = hex(16);
  const rootId = hex(8);
  const llmId = hex(8);
  const t0 = Date.now() - 60_000;
  const question = "Fasse den Bericht in drei Sätzen zusammen.";
  const spans = [
    { traceId, spanId: rootId, name: "invoke_agent helper", kind: 1, startTimeUnixNano: ns(t0), endTimeUnixNano: ns(t0 + 900), attributes: [str("gen_ai.operation.name", "invoke_agent")], status: { code: 2, message: "rate limited" } },
    {
      traceId,
      spanId: llmId,
      parentSpanId: rootId,
      name: "chat gpt-4o",
      kind: 3,
      startTimeUnixNano: ns(t0 + 100),
      endTimeUnixNano: ns(t0 + 800),
      attributes: [str("gen_ai.operation.name", "chat"), str("gen_ai.request.model", "gpt-4o"), str("gen_ai.system", "openai")],
      events: [
        { name: "gen_ai.user.message", timeUnixNano: ns(t0 + 100), attributes: [str("gen_ai.system", "openai"), str("content", question)] },
        { name: "exception", timeUnixNano: ns(t0 + 800), attributes: [str("exception.type", "RateLimitError"), str("exception.message", "rate limited")] },
      ],
      status: { code: 2, message: "rate limited" },
    },
  ];
  const exp = await experimentWithSpans("conventions-e2e", spans);

  await page.goto(`/experiments/${exp}/traces/tr-${traceId}?span=${llmId}`);
  const detail = page.getByTestId("span-detail");
  await expect(detail).toContainText("chat gpt-4o");
  await expect(page.getByRole("tab", { name: "Chat" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("chat-view")).toContainText(question);
});

test("a span without a type shows no UNKNOWN badge (issue #18)", async ({ page }) => {
  const traceId = hex(16);
  const rootId = hex(8);
  const t0 = Date.now() - 60_000;
  const spans = [{ traceId, spanId: rootId, name: "handle_request", kind: 2, startTimeUnixNano: ns(t0), endTimeUnixNano: ns(t0 + 50), attributes: [str("http.route", "/ask")], status: { code: 1 } }];
  const exp = await experimentWithSpans("untyped-e2e", spans);
  await page.goto(`/experiments/${exp}/traces/tr-${traceId}?span=${rootId}`);
  const detail = page.getByTestId("span-detail");
  await expect(detail).toContainText("handle_request");
  await expect(detail).not.toContainText("UNKNOWN");
});
