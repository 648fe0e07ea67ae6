// Cost at ingest (issue #16) through the real write paths: OTLP/JSON over HTTP for each convention that
// names a model and token usage, and MLflow's StartTraceV3 + traces.json. The stored span cost and the trace,
// session and user costs equal the price table's; a client's span or trace cost wins; an override wins over
// the table; an unknown model has no cost (null, not 0).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { closeDb, getPool } from "../../db";
import { PRICE_TABLE, PriceBook, type TokenCounts } from "../../cost/prices";
import { setPriceOverrides } from "../../cost/spanCost";
import { makeSpans, randomTraceId, sendTrace } from "../../testing/mlflow";
import { http } from "../../testing/http";
import { createTestExperiment, makeSpan, spanRows, traceRow } from "../../testing/ingest";
import { ingestSpans } from ".";
import { countTracesForUi, listTracesForUi } from "../trace-view";

after(() => closeDb());

const TABLE = new PriceBook();
const tablePrice = (model: string, t: TokenCounts) => TABLE.cost(model, "openai", t)!.totalCost;
const close = (a: number | null | undefined, b: number, what: string) => assert.ok(a != null && Math.abs(a - b) <= 1e-12 + b * 1e-9, `${what}: ${a} vs ${b}`);

type Attr = { key: string; value: { stringValue?: string; intValue?: string } };
const otlpAttrs = (a: Record<string, string | number>): Attr[] =>
  Object.entries(a).map(([key, v]) => ({ key, value: typeof v === "number" ? { intValue: String(v) } : { stringValue: v } }));

/** One OTLP/JSON trace: a root without usage and one LLM child carrying `llm`. Returns the trace id. */
function otlpTrace(llm: Record<string, string | number>, rootAttrs: Record<string, string | number> = {}) {
  const traceId = randomBytes(16).toString("hex");
  const root = randomBytes(8).toString("hex");
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const span = (spanId: string, parentSpanId: string, name: string, attributes: Attr[]) => ({
    traceId, spanId, parentSpanId, name, kind: 1, startTimeUnixNano: String(t0), endTimeUnixNano: String(t0 + 1_000_000n), attributes, status: {},
  });
  return {
    traceId: "tr-" + traceId,
    spans: [span(root, "", "agent", otlpAttrs(rootAttrs)), span(randomBytes(8).toString("hex"), root, "llm", otlpAttrs(llm))],
  };
}

async function postOtlp(exp: string, traces: { spans: unknown[] }[]) {
  const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: "cost-test" }, spans: traces.flatMap((t) => t.spans) }] }] };
  const r = await http("POST", "/v1/traces", JSON.stringify(body), { "content-type": "application/json", "x-mlflow-experiment-id": exp });
  assert.equal(r.status, 200, r.text);
}

async function llmSpanOf(traceId: string) {
  const rows = await spanRows(traceId);
  return rows.find((r) => r.attributes["mlflow.chat.tokenUsage"] !== undefined)!.attributes as Record<string, any>;
}

test("OTLP: every convention's model and usage are priced from the table; span and trace costs agree", async () => {
  const exp = await createTestExperiment("cost");
  const model = "gpt-4o-mini";
  const cases: [string, Record<string, string | number>, TokenCounts][] = [
    ["GenAI semconv", { "gen_ai.request.model": model, "gen_ai.provider.name": "openai", "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.output_tokens": 300 }, { input: 1200, output: 300 }],
    ["GenAI semconv, cached input", { "gen_ai.response.model": model, "gen_ai.system": "openai", "gen_ai.usage.input_tokens": 5000, "gen_ai.usage.output_tokens": 10, "gen_ai.usage.cache_read.input_tokens": 4000 }, { input: 5000, output: 10, cacheRead: 4000 }],
    ["OpenInference", { "openinference.span.kind": "LLM", "llm.model_name": model, "llm.provider": "openai", "llm.token_count.prompt": 700, "llm.token_count.completion": 70, "llm.token_count.prompt_details.cache_read": 500 }, { input: 700, output: 70, cacheRead: 500 }],
    ["Traceloop", { "llm.request.type": "chat", "gen_ai.request.model": model, "gen_ai.usage.prompt_tokens": 90, "gen_ai.usage.completion_tokens": 9 }, { input: 90, output: 9 }],
    ["Langfuse", { "langfuse.observation.type": "generation", "langfuse.observation.model.name": model, "langfuse.observation.usage_details": '{"input":40,"output":4,"input_cached_tokens":60}' }, { input: 100, output: 4, cacheRead: 60 }],
    ["Vercel AI", { "ai.operationId": "ai.generateText", "ai.model.id": model, "ai.model.provider": "openai.chat", "ai.usage.inputTokens": 33, "ai.usage.outputTokens": 3 }, { input: 33, output: 3 }],
  ];
  const traces = cases.map(([, attrs]) => otlpTrace(attrs));
  await postOtlp(exp, traces);
  for (const [i, [name, , tokens]] of cases.entries()) {
    const want = tablePrice(model, tokens);
    const span = await llmSpanOf(traces[i].traceId);
    close(span["mlflow.llm.cost"]?.total_cost, want, `${name}: span cost`);
    assert.equal(span["flowtrace.cost.source"], PRICE_TABLE, name);
    close((await traceRow(traces[i].traceId))?.cost, want, `${name}: trace cost`);
  }
  // cached input is cheaper than the same tokens uncached
  assert.ok(tablePrice(model, { input: 5000, output: 10, cacheRead: 4000 }) < tablePrice(model, { input: 5000, output: 10 }));
});

test("OTLP: an unknown model has no cost, a client's span cost wins, sessions and users sum trace costs", async () => {
  const exp = await createTestExperiment("cost");
  const session = "s-" + randomBytes(4).toString("hex");
  const user = "u-" + randomBytes(4).toString("hex");
  const unknown = otlpTrace({ "gen_ai.request.model": "no-such-model-7x", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 1 });
  const client = otlpTrace({ "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 1, "mlflow.llm.cost": '{"input_cost":0.25,"output_cost":0.5,"total_cost":0.75}' }, { "session.id": session, "user.id": user });
  const priced = otlpTrace({ "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100 }, { "session.id": session, "user.id": user });
  await postOtlp(exp, [unknown, client, priced]);

  const u = await llmSpanOf(unknown.traceId);
  assert.equal(u["mlflow.llm.cost"], undefined);
  assert.equal(u["flowtrace.cost.source"], undefined);
  assert.equal((await traceRow(unknown.traceId))?.cost, null);

  const c = await llmSpanOf(client.traceId);
  assert.deepEqual(c["mlflow.llm.cost"], { input_cost: 0.25, output_cost: 0.5, total_cost: 0.75 });
  assert.equal(c["flowtrace.cost.source"], undefined);
  close((await traceRow(client.traceId))?.cost, 0.75, "client trace cost");

  const want = 0.75 + tablePrice("gpt-4o", { input: 1000, output: 100 });
  const db = getPool();
  const s = await db.query(`SELECT cost FROM trace_sessions WHERE experiment_id = $1 AND session_id = $2`, [exp, session]);
  close(s.rows[0]?.cost, want, "session cost");
  const us = await db.query(`SELECT cost FROM trace_users WHERE experiment_id = $1 AND user_id = $2`, [exp, user]);
  close(us.rows[0]?.cost, want, "user cost");
});

test("MLflow REST (StartTraceV3 + traces.json): mlflow.chat.tokenUsage is priced; a client's trace cost wins", async () => {
  const exp = await createTestExperiment("cost");
  const usage = { input_tokens: 2000, output_tokens: 200, total_tokens: 2200, cache_read_input_tokens: 1000 };
  const withUsage = () => {
    const spans = makeSpans(2);
    spans[1].attributes = { "mlflow.chat.tokenUsage": usage, "mlflow.llm.model": "gpt-4o-mini", "mlflow.llm.provider": "openai" };
    return spans;
  };
  const want = tablePrice("gpt-4o-mini", { input: 2000, output: 200, cacheRead: 1000 });

  const traceId = randomTraceId();
  await sendTrace(exp, traceId, withUsage());
  const span = await llmSpanOf(traceId);
  close(span["mlflow.llm.cost"]?.total_cost, want, "span cost");
  assert.equal(span["flowtrace.cost.source"], PRICE_TABLE);
  close((await traceRow(traceId))?.cost, want, "trace cost");

  const clientTrace = randomTraceId();
  await sendTrace(exp, clientTrace, withUsage(), { metadata: { "mlflow.trace.cost": JSON.stringify({ input_cost: 1, output_cost: 1, total_cost: 2 }) } });
  close((await traceRow(clientTrace))?.cost, 2, "client trace cost");
});

test("an override wins over the table, by exact name or prefix, with its own source", async () => {
  const exp = await createTestExperiment("cost");
  setPriceOverrides([{ model: "my-finetune-*", rates: { inputPerMTok: 2, outputPerMTok: 10 } }, { model: "gpt-4o-mini", rates: { inputPerMTok: 1, outputPerMTok: 1 } }]);
  try {
    const traceId = "tr-" + randomBytes(16).toString("hex");
    const llm = (model: string) =>
      makeSpan({ traceId, name: model, parentSpanId: "0000000000000001", attributes: { "gen_ai.request.model": model, "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000 } });
    await ingestSpans(exp, [makeSpan({ traceId, name: "root", spanId: "0000000000000001" }), llm("my-finetune-v3"), llm("gpt-4o-mini")]);
    const rows = await spanRows(traceId);
    const costOf = (name: string) => rows.find((r) => r.name === name)!.attributes;
    close(costOf("my-finetune-v3")["mlflow.llm.cost"].total_cost, 2 + 1, "prefix override");
    close(costOf("gpt-4o-mini")["mlflow.llm.cost"].total_cost, 1 + 0.1, "exact override");
    assert.equal(costOf("gpt-4o-mini")["flowtrace.cost.source"], "override");
    close((await traceRow(traceId))?.cost, 4.1, "trace cost");
  } finally {
    setPriceOverrides([]);
  }
});

test("cost is a traces-table column from its one registry entry: listed, sorted, filtered (trace.cost > 0.05)", async () => {
  const exp = await createTestExperiment("cost");
  const ids = ["tr-" + randomBytes(16).toString("hex"), "tr-" + randomBytes(16).toString("hex"), "tr-" + randomBytes(16).toString("hex")];
  const llm = (traceId: string, total?: number) =>
    makeSpan({ traceId, name: "llm", attributes: total === undefined ? {} : { "mlflow.llm.cost": { input_cost: total / 2, output_cost: total / 2, total_cost: total } } });
  await ingestSpans(exp, [llm(ids[0], 0.01), llm(ids[1], 0.1), llm(ids[2])]);
  const rows = (await listTracesForUi({ experimentId: exp, order: "cost DESC" })).rows as unknown as { traceId: string; cost: number | null }[];
  assert.deepEqual(rows.map((r) => [r.traceId, r.cost]), [[ids[1], 0.1], [ids[0], 0.01], [ids[2], null]], "NULL sorts last");
  assert.equal(await countTracesForUi({ experimentId: exp, filter: "trace.cost > 0.05" }), 1);
  assert.equal(await countTracesForUi({ experimentId: exp, filter: "trace.cost IS NULL" }), 1);
});
