import assert from "node:assert/strict";
import { test } from "node:test";
import type { NormalizedSpan } from "../../tracing/model";
import { rollUpTraces } from "./trace-rollup";

const span = (spanId: string, start: bigint, attributes: Record<string, unknown>): NormalizedSpan => ({
  traceId: "tr-1", spanId, parentSpanId: "p", name: spanId, startTimeNs: start, endTimeNs: start + 1n, status: { code: "OK", message: "" }, attributes, events: [],
});

test("the model: earliest start wins, ties by span id; empty and non-string values name no model", () => {
  const model = (spans: NormalizedSpan[]) => rollUpTraces([{ expId: "1", spans }])[0].model;
  assert.equal(model([span("b", 5n, { "mlflow.llm.model": "later" }), span("a", 1n, { "mlflow.llm.model": "first" })]), "first");
  assert.equal(model([span("b", 1n, { "mlflow.llm.model": "b" }), span("a", 1n, { "mlflow.llm.model": "a" })]), "a");
  assert.equal(model([span("a", 1n, { "mlflow.llm.model": "" }), span("b", 2n, { "mlflow.llm.model": 7 }), span("c", 3n, { "mlflow.llm.model": "c" })]), "c");
  assert.equal(model([span("a", 1n, {})]), null);
});
