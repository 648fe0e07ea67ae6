// Re-pricing (issue #16): after an override is stored, the job recomputes the costs flowtrace computed and
// recounts their traces; sessions and users follow; a client's span cost and a client's trace cost stay.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { closeDb, getPool } from "../db";
import { ingestSpans, upsertTraceInfo } from "./ingest";
import { createTestExperiment, hex, makeSpan, spanRows, traceRow } from "../testing/ingest";
import { createPriceOverride, deletePriceOverride, updatePriceOverride } from "./prices";
import { repriceJob, runReprice, startReprice } from "./prices-reprice";

after(() => closeDb());

const close = (a: number | null | undefined, b: number, what: string) => assert.ok(a != null && Math.abs(a - b) <= 1e-12 + b * 1e-9, `${what}: ${a} vs ${b}`);

test("re-price changes computed span, trace, session and user costs; client-sent costs stay", async () => {
  const exp = await createTestExperiment("reprice");
  const model = "cost2-reprice-" + randomBytes(4).toString("hex");
  const session = "s-" + hex(4);
  const user = "u-" + hex(4);
  const o = await createPriceOverride({ model, rates: { inputPerMTok: 1, outputPerMTok: 1 } }, null);
  try {
    const llm = (traceId: string, spanId: string, extra: Record<string, unknown> = {}) =>
      makeSpan({ traceId, spanId, name: "llm", parentSpanId: "0000000000000001", attributes: { "gen_ai.request.model": model, "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 1_000_000, ...extra } });
    const root = (traceId: string) => makeSpan({ traceId, name: "root", spanId: "0000000000000001", attributes: { "session.id": session, "user.id": user } });
    // a trace of spans only; one finalized by StartTraceV3 first; one with a client's trace cost
    const plain = "tr-" + hex(16);
    await ingestSpans(exp, [root(plain), llm(plain, "0000000000000002"), llm(plain, "0000000000000003", { "mlflow.llm.cost": { input_cost: 0.1, output_cost: 0.1, total_cost: 0.2 } })]);
    const finalized = "tr-" + hex(16);
    await upsertTraceInfo({ traceId: finalized, experimentId: exp, requestTimeMs: Date.now(), executionDurationMs: 5, state: "OK", metadata: { "mlflow.trace.session": session, "mlflow.trace.user": user }, tags: {} });
    await ingestSpans(exp, [root(finalized), llm(finalized, "0000000000000002")]);
    const client = "tr-" + hex(16);
    await upsertTraceInfo({ traceId: client, experimentId: exp, requestTimeMs: Date.now(), executionDurationMs: 5, state: "OK", metadata: { "mlflow.trace.cost": JSON.stringify({ input_cost: 3, output_cost: 4, total_cost: 7 }) }, tags: {} });
    await ingestSpans(exp, [root(client), llm(client, "0000000000000002")]);
    close((await traceRow(plain))?.cost, 2.2, "before");
    close((await traceRow(finalized))?.cost, 2, "before");

    await updatePriceOverride(o.id, { model, rates: { inputPerMTok: 3, outputPerMTok: 7 } }, null);
    await startReprice("tester");
    await runReprice();
    const job = (await repriceJob())!;
    assert.ok(job.finishedAt, "finished");
    assert.ok(job.done >= 3);

    const spanCostOf = async (traceId: string, spanId: string) => (await spanRows(traceId)).find((s) => s.span_id === spanId)!.attributes["mlflow.llm.cost"];
    close((await spanCostOf(plain, "0000000000000002")).total_cost, 10, "computed span cost");
    assert.deepEqual(await spanCostOf(plain, "0000000000000003"), { input_cost: 0.1, output_cost: 0.1, total_cost: 0.2 }, "client span cost stays");
    close((await traceRow(plain))?.cost, 10.2, "trace of spans");
    close((await traceRow(finalized))?.cost, 10, "StartTraceV3-finalized trace follows");
    close(JSON.parse((await traceRow(finalized))?.trace_metadata["mlflow.trace.cost"]).total_cost, 10, "its metadata");
    close((await traceRow(client))?.cost, 7, "client trace cost stays");
    close((await spanCostOf(client, "0000000000000002")).total_cost, 10, "its computed span cost is re-priced");

    const db = getPool();
    const s = await db.query(`SELECT cost FROM trace_sessions WHERE experiment_id = $1 AND session_id = $2`, [exp, session]);
    // the three traces are in the session: 10.2 + 10 + the client's 7
    close(s.rows[0]?.cost, 27.2, "session cost");
    const u = await db.query(`SELECT cost FROM trace_users WHERE experiment_id = $1 AND user_id = $2`, [exp, user]);
    close(u.rows[0]?.cost, 27.2, "user cost");
  } finally {
    await deletePriceOverride(o.id);
  }
});
