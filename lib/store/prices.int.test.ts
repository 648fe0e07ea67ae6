// Price overrides stored in the database (issue #16) price new spans: in this process at once after an
// edit, in the server process (another process, like a second instance) within ~1–2 s, including spans
// decoded in its OTLP worker threads. Stored entries win over the environment's, which win over the table.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { closeDb, getPool } from "../db";
import { setPriceOverrides } from "../cost/spanCost";
import { http } from "../testing/http";
import { ingestSpans } from "./ingest";
import { createTestExperiment, makeSpan, spanRows, traceRow } from "../testing/ingest";
import { createPriceOverride, deletePriceOverride, listPriceOverrides, PRICE_VERSION_KEY, updatePriceOverride } from "./prices";

after(() => closeDb());

const close = (a: number | null | undefined, b: number, what: string) => assert.ok(a != null && Math.abs(a - b) <= 1e-12 + b * 1e-9, `${what}: ${a} vs ${b}`);
// a model name no other test prices, so that parallel suites are not affected
const modelName = () => "cost2-test-" + randomBytes(4).toString("hex");

async function ingestCall(exp: string, model: string) {
  const traceId = "tr-" + randomBytes(16).toString("hex");
  await ingestSpans(exp, [
    makeSpan({ traceId, name: "root", spanId: "0000000000000001" }),
    makeSpan({ traceId, name: "llm", parentSpanId: "0000000000000001", attributes: { "gen_ai.request.model": model, "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000 } }),
  ]);
  const llm = (await spanRows(traceId)).find((r) => r.name === "llm")!.attributes;
  return { traceId, cost: llm["mlflow.llm.cost"]?.total_cost as number | undefined, source: llm["flowtrace.cost.source"] as string | undefined };
}

test("a stored override prices this process's next span at once; stored entries win over the environment's; edit and delete apply too", async () => {
  const exp = await createTestExperiment("prices");
  const model = modelName();
  assert.equal((await ingestCall(exp, model)).cost, undefined, "unknown model: no cost");

  setPriceOverrides([{ model, rates: { inputPerMTok: 100, outputPerMTok: 100 } }]);
  const o = await createPriceOverride({ model: model.slice(0, -2) + "*", rates: { inputPerMTok: 2, outputPerMTok: 10 } }, "tester");
  try {
    const a = await ingestCall(exp, model);
    close(a.cost, 2 + 1, "stored prefix override over the environment's exact entry");
    assert.equal(a.source, "override");
    close((await traceRow(a.traceId))?.cost, 3, "trace cost");

    const listed = (await listPriceOverrides()).find((x) => x.id === o.id)!;
    assert.equal(listed.updatedBy, "tester");
    assert.deepEqual(listed.rates, { inputPerMTok: 2, outputPerMTok: 10, cacheReadPerMTok: undefined, cacheWritePerMTok: undefined });

    await updatePriceOverride(o.id, { model: o.model, rates: { inputPerMTok: 4, outputPerMTok: 10 } }, "tester");
    close((await ingestCall(exp, model)).cost, 4 + 1, "after an edit");
    assert.equal(await deletePriceOverride(o.id), true);
    close((await ingestCall(exp, model)).cost, 100 + 10, "after the delete the environment's entry prices");
    assert.equal(await deletePriceOverride(o.id), false, "deleting twice");
    assert.equal(await updatePriceOverride(o.id, { model, rates: { inputPerMTok: 1, outputPerMTok: 1 } }, null), null);
  } finally {
    setPriceOverrides([]);
    await deletePriceOverride(o.id);
  }
});

test("a change stored by another instance reaches this process within ~2 s, with one version read per second", async () => {
  const exp = await createTestExperiment("prices");
  const model = modelName();
  await ingestCall(exp, model); // the first check after start
  // what another instance's edit leaves in the database
  const db = getPool();
  const { rows } = await db.query(
    `WITH o AS (INSERT INTO price_overrides (model, input_per_mtok, output_per_mtok, updated_at) VALUES ($1, 1, 2, 0) RETURNING id)
     SELECT id::text FROM o`,
    [model],
  );
  await db.query(`UPDATE server_settings SET value = (value::bigint + 1)::text WHERE key = $1`, [PRICE_VERSION_KEY]);
  try {
    const t0 = Date.now();
    let cost: number | undefined;
    while (Date.now() - t0 < 3000) {
      cost = (await ingestCall(exp, model)).cost;
      if (cost !== undefined) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    close(cost, 1 + 0.2, "picked up");
    assert.ok(Date.now() - t0 < 2500, `within ~2 s (${Date.now() - t0} ms)`);
  } finally {
    await deletePriceOverride(rows[0].id);
  }
});

/** One OTLP/JSON trace whose body is big enough (>64 KiB) to be decoded in the server's worker thread. */
function bigOtlpBody(model: string) {
  const traceId = randomBytes(16).toString("hex");
  const root = randomBytes(8).toString("hex");
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const attr = (key: string, v: string | number) => ({ key, value: typeof v === "number" ? { intValue: String(v) } : { stringValue: v } });
  const span = (spanId: string, parentSpanId: string, name: string, attributes: unknown[]) => ({
    traceId, spanId, parentSpanId, name, kind: 1, startTimeUnixNano: String(t0), endTimeUnixNano: String(t0 + 1_000_000n), attributes, status: {},
  });
  const spans = [
    span(root, "", "agent", [attr("mlflow.spanInputs", JSON.stringify({ q: "x".repeat(80 * 1024) }))]),
    span(randomBytes(8).toString("hex"), root, "llm", [attr("gen_ai.request.model", model), attr("gen_ai.usage.input_tokens", 1_000_000), attr("gen_ai.usage.output_tokens", 1_000_000)]),
  ];
  return { traceId: "tr-" + traceId, body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] }) };
}

test("the server prices OTLP spans decoded in its worker threads with a stored override within ~2 s", async () => {
  const exp = await createTestExperiment("prices");
  const model = modelName();
  const o = await createPriceOverride({ model, rates: { inputPerMTok: 3, outputPerMTok: 5 } }, null);
  try {
    const t0 = Date.now();
    let cost: number | undefined;
    while (Date.now() - t0 < 4000) {
      const { traceId, body } = bigOtlpBody(model);
      assert.ok(body.length > 64 * 1024);
      const r = await http("POST", "/v1/traces", body, { "content-type": "application/json", "x-mlflow-experiment-id": exp });
      assert.equal(r.status, 200, r.text);
      cost = (await spanRows(traceId)).find((s) => s.name === "llm")!.attributes["mlflow.llm.cost"]?.total_cost;
      if (cost !== undefined) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    close(cost, 3 + 5, "worker-decoded span priced by the stored override");
    assert.ok(Date.now() - t0 < 3000, `within ~2 s (${Date.now() - t0} ms)`);

    // a change reaches the worker too
    await updatePriceOverride(o.id, { model, rates: { inputPerMTok: 6, outputPerMTok: 5 } }, null);
    const t1 = Date.now();
    while (Date.now() - t1 < 4000) {
      const { traceId, body } = bigOtlpBody(model);
      await http("POST", "/v1/traces", body, { "content-type": "application/json", "x-mlflow-experiment-id": exp });
      cost = (await spanRows(traceId)).find((s) => s.name === "llm")!.attributes["mlflow.llm.cost"]?.total_cost;
      if (cost === 11) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    close(cost, 6 + 5, "after the edit");
  } finally {
    await deletePriceOverride(o.id);
  }
});
