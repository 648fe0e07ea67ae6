// The real OpenTelemetry JS SDK with both OTLP/HTTP exporters against the test server: what an
// OTel-instrumented app sends must read back exactly (names, parents, types, I/O, tokens, session, user).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { context, SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { closeDb, getPool } from "../db";
import { createTestExperiment } from "../testing/ingest";
import { loadSpans } from "../store/spans";
import { baseUrl } from "../testing/http";

after(() => closeDb());

function child(tracer: Tracer, parent: Span, name: string, attributes: Record<string, string | number | boolean | string[]>): Span {
  return tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent));
}

/** An agent turn as an OTel GenAI-instrumented app emits it; returns the OTel trace id. */
function emitAgentTurn(tracer: Tracer): string {
  const root = tracer.startSpan("invoke_agent support-bot", {
    attributes: {
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.conversation.id": "conv-42",
      "user.id": "user-7",
      "gen_ai.input.messages": JSON.stringify([{ role: "user", content: "How many docs?" }]),
      "gen_ai.output.messages": JSON.stringify([{ role: "assistant", content: "Two docs." }]),
      "mlflow.traceTag.channel": "web",
    },
  });
  const chat = child(tracer, root, "chat gpt-4o-mini", {
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.provider.name": "openai",
    "gen_ai.usage.input_tokens": 120,
    "gen_ai.usage.output_tokens": 30,
  });
  chat.addEvent("gen_ai.user.message", { content: "How many docs?" });
  chat.addEvent("gen_ai.choice", { index: 0, finish_reason: "stop", message: JSON.stringify({ role: "assistant", content: "Two docs." }) });
  chat.end();
  const tool = child(tracer, root, "execute_tool count_docs", {
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.call.arguments": '{"folder":"kb"}',
    "gen_ai.tool.call.result": '{"count":2}',
  });
  tool.setStatus({ code: SpanStatusCode.ERROR, message: "slow backend" });
  tool.recordException(new Error("slow backend"));
  tool.end();
  root.setStatus({ code: SpanStatusCode.OK });
  root.end();
  return root.spanContext().traceId;
}

async function exportWith(makeExporter: (headers: Record<string, string>) => SpanExporter, exp: string): Promise<string> {
  const exporter = makeExporter({ "x-mlflow-experiment-id": exp });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "otel-sdk-int-test" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const traceId = emitAgentTurn(provider.getTracer("flowtrace-test"));
  await provider.forceFlush();
  await provider.shutdown();
  return "tr-" + traceId;
}

for (const [label, make] of [
  ["protobuf", (headers: Record<string, string>) => new ProtoExporter({ url: baseUrl() + "/v1/traces", headers })],
  ["JSON", (headers: Record<string, string>) => new HttpJsonExporter({ url: baseUrl() + "/v1/traces", headers })],
] as const) {
  test(`OpenTelemetry JS SDK with the OTLP/HTTP ${label} exporter: the trace reads back exactly`, async () => {
    const exp = await createTestExperiment(`otel-${label}`);
    const traceId = await exportWith(make, exp);
    const { rows } = await getPool().query(`SELECT * FROM traces WHERE trace_id = $1`, [traceId]);
    const t = rows[0];
    assert.ok(t, "trace stored");
    assert.equal(t.experiment_id, exp);
    assert.equal(t.state, "OK");
    assert.equal(t.name, "invoke_agent support-bot");
    assert.equal(t.span_count, 3);
    assert.equal(t.error_count, 1);
    assert.equal(t.session_id, "conv-42");
    assert.equal(t.user_id, "user-7");
    assert.equal(t.trace_metadata["mlflow.trace.session"], "conv-42");
    assert.equal(t.tags.channel, "web");
    assert.equal(t.request_preview, "How many docs?");
    assert.equal(t.response_preview, "Two docs.");
    assert.equal(t.input_tokens, "120");
    assert.equal(t.output_tokens, "30");
    assert.equal(t.total_tokens, "150");

    const spans = (await loadSpans([traceId])).get(traceId)!;
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    const root = byName["invoke_agent support-bot"];
    const chat = byName["chat gpt-4o-mini"];
    const tool = byName["execute_tool count_docs"];
    assert.equal(root.parentSpanId, null);
    assert.equal(chat.parentSpanId, root.spanId);
    assert.equal(tool.parentSpanId, root.spanId);
    assert.equal(root.attributes["mlflow.spanType"], "AGENT");
    assert.equal(chat.attributes["mlflow.spanType"], "CHAT_MODEL");
    assert.equal(tool.attributes["mlflow.spanType"], "TOOL");
    assert.deepEqual(root.attributes["mlflow.spanInputs"], [{ role: "user", content: "How many docs?" }]);
    assert.deepEqual(chat.attributes["mlflow.spanInputs"], [{ role: "user", content: "How many docs?" }]);
    assert.deepEqual(chat.attributes["mlflow.spanOutputs"], { choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "Two docs." } }] });
    assert.deepEqual(chat.attributes["mlflow.chat.tokenUsage"], { input_tokens: 120, output_tokens: 30, total_tokens: 150 });
    assert.equal(chat.attributes["mlflow.llm.model"], "gpt-4o-mini");
    assert.equal(chat.attributes["mlflow.llm.provider"], "openai");
    assert.deepEqual(tool.attributes["mlflow.spanInputs"], { folder: "kb" });
    assert.deepEqual(tool.attributes["mlflow.spanOutputs"], { count: 2 });
    assert.deepEqual(tool.status, { code: "ERROR", message: "slow backend" });
    assert.equal(tool.events[0].name, "exception");
    assert.equal(tool.events[0].attributes["exception.message"], "slow backend");
  });
}
