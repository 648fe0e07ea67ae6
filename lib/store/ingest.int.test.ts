import assert from "node:assert/strict";
import { after, test } from "node:test";
import { closeDb, getPool } from "../db";
import { ApiError } from "../errors";
import type { NormalizedSpan } from "../tracing/model";
import { ingestSpans, upsertTraceInfo, writerStats } from "./ingest";
import { createTestExperiment, hex, makeSpan, spanRows, traceRow } from "../testing/ingest";
import { loadSpans } from "./spans";

after(() => closeDb());

/** A 3-span trace: root AGENT with session/user, a chat child with tokens, a failing tool child. */
function sampleTrace(): { traceId: string; root: NormalizedSpan; llm: NormalizedSpan; tool: NormalizedSpan } {
  const traceId = "tr-" + hex(16);
  const root = makeSpan({
    traceId,
    name: "agent_turn",
    startTimeNs: 1_700_000_000_000_000_000n,
    endTimeNs: 1_700_000_002_500_000_000n,
    attributes: {
      "mlflow.spanType": "AGENT",
      "mlflow.spanInputs": { messages: [{ role: "system", content: "be nice" }, { role: "user", content: "What is MLflow?" }] },
      "mlflow.spanOutputs": { choices: [{ message: { role: "assistant", content: "A platform." } }] },
      "session.id": "sess-1",
      "user.id": "user-1",
      "mlflow.traceTag.team": "search",
    },
  });
  const llm = makeSpan({
    traceId,
    name: "chat",
    parentSpanId: root.spanId,
    startTimeNs: 1_700_000_000_100_000_000n,
    endTimeNs: 1_700_000_001_000_000_000n,
    attributes: { "gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5, "gen_ai.request.model": "gpt-x" },
  });
  const tool = makeSpan({
    traceId,
    name: "search",
    parentSpanId: root.spanId,
    startTimeNs: 1_700_000_001_000_000_000n,
    endTimeNs: 1_700_000_003_000_000_000n,
    status: { code: "ERROR", message: "boom" },
    attributes: { "mlflow.spanType": "TOOL", "mlflow.chat.tokenUsage": { input_tokens: 1, output_tokens: 2, total_tokens: 3 } },
    events: [{ name: "exception", timeNs: 1_700_000_002_000_000_001n, attributes: { "exception.message": "boom" } }],
  });
  return { traceId, root, llm, tool };
}

const clone = (s: NormalizedSpan): NormalizedSpan => structuredClone(s);

function comparable(row: Record<string, any> | undefined) {
  assert.ok(row, "trace row exists");
  const { updated_at, ...rest } = row;
  return rest;
}

test("children before the root: IN_PROGRESS trace first, final with derived fields once the root arrives", async () => {
  const exp = await createTestExperiment();
  const { traceId, root, llm, tool } = sampleTrace();
  assert.deepEqual(await ingestSpans(exp, [clone(llm), clone(tool)]), { traces: 1, spans: 2 });
  let t = await traceRow(traceId);
  assert.equal(t?.state, "IN_PROGRESS");
  assert.equal(t?.name, null);
  assert.equal(t?.span_count, 2);
  assert.equal(t?.error_count, 1);
  assert.equal(t?.request_time, String(1_700_000_000_100n));
  assert.equal(t?.tags["mlflow.artifactLocation"], `mlflow-artifacts:/${exp}/traces/${traceId}/artifacts`);
  assert.equal(t?.tags["mlflow.trace.spansLocation"], "TRACKING_STORE");

  await ingestSpans(exp, [clone(root)]);
  t = await traceRow(traceId);
  assert.equal(t?.state, "OK");
  assert.equal(t?.name, "agent_turn");
  assert.equal(t?.tags["mlflow.traceName"], "agent_turn");
  assert.equal(t?.tags.team, "search");
  assert.equal(t?.root_span_id, root.spanId);
  assert.equal(t?.request_time, String(1_700_000_000_000n));
  assert.equal(t?.execution_duration, "3000");
  assert.equal(t?.request_preview, "What is MLflow?");
  assert.equal(t?.response_preview, "A platform.");
  assert.equal(t?.session_id, "sess-1");
  assert.equal(t?.user_id, "user-1");
  assert.equal(t?.trace_metadata["mlflow.trace.session"], "sess-1");
  assert.equal(t?.trace_metadata["mlflow.trace.user"], "user-1");
  assert.deepEqual(JSON.parse(t?.trace_metadata["mlflow.trace.tokenUsage"]), { input_tokens: 11, output_tokens: 7, total_tokens: 18 });
  assert.equal(t?.input_tokens, "11");
  assert.equal(t?.total_tokens, "18");
  assert.equal(t?.span_count, 3);

  const rows = await spanRows(traceId);
  const chat = rows.find((r) => r.name === "chat")!;
  assert.equal(chat.span_type, "CHAT_MODEL");
  assert.equal(chat.attributes["mlflow.llm.model"], "gpt-x");
  assert.deepEqual(chat.attributes["mlflow.chat.tokenUsage"], { input_tokens: 10, output_tokens: 5, total_tokens: 15 });
  const agent = rows.find((r) => r.name === "agent_turn")!;
  assert.equal(agent.attributes["mlflow.spanInputs"], undefined, "inputs live in their own column");
  assert.deepEqual(JSON.parse(agent.inputs), root.attributes["mlflow.spanInputs"]);
  const search = rows.find((r) => r.name === "search")!;
  assert.equal(search.status_code, "ERROR");
  assert.equal(search.status_message, "boom");
  assert.deepEqual(search.events, [{ name: "exception", time_unix_nano: "1700000002000000001", attributes: { "exception.message": "boom" } }]);
});

test("repeated and reordered delivery converge on the same rows (idempotent, commutative)", async () => {
  const exp = await createTestExperiment();
  const orders: ((x: ReturnType<typeof sampleTrace>) => NormalizedSpan[][])[] = [
    (x) => [[x.root, x.llm, x.tool]],
    (x) => [[x.tool], [x.llm], [x.root]],
    (x) => [[x.root], [x.tool, x.llm], [x.root, x.llm], [x.tool]],
  ];
  const results: unknown[] = [];
  for (const order of orders) {
    const x = sampleTrace();
    // the same ids for every ordering, so rows compare whole
    const fixed = { traceId: "tr-" + "ab".repeat(16), ids: ["1111111111111111", "2222222222222222", "3333333333333333"] };
    for (const [i, s] of [x.root, x.llm, x.tool].entries()) {
      s.traceId = fixed.traceId;
      s.spanId = fixed.ids[i];
      if (i > 0) s.parentSpanId = fixed.ids[0];
    }
    await getPool().query("DELETE FROM spans WHERE trace_id = $1", [fixed.traceId]);
    await getPool().query("DELETE FROM traces WHERE trace_id = $1", [fixed.traceId]);
    for (const batch of order(x)) await ingestSpans(exp, batch.map(clone));
    const spans = (await spanRows(fixed.traceId)).map((r) => ({ ...r }));
    results.push({ trace: comparable(await traceRow(fixed.traceId)), spans });
  }
  assert.equal((results[0] as any).spans.length, 3);
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
});

test("a batch with spans of many traces stores each trace once", async () => {
  const exp = await createTestExperiment();
  const traces = Array.from({ length: 5 }, () => sampleTrace());
  const all = traces.flatMap((t) => [t.root, t.llm, t.tool]).map(clone);
  assert.deepEqual(await ingestSpans(exp, all), { traces: 5, spans: 15 });
  for (const t of traces) {
    const row = await traceRow(t.traceId);
    assert.equal(row?.span_count, 3);
    assert.equal(row?.state, "OK");
  }
});

test("unknown and deleted experiments are refused and nothing is stored", async () => {
  const { traceId, root } = sampleTrace();
  await assert.rejects(ingestSpans("987654321", [clone(root)]), (e: ApiError) => e.code === "RESOURCE_DOES_NOT_EXIST" && e.status === 404 && e.message.includes("987654321"));
  await assert.rejects(ingestSpans("not-a-number", [clone(root)]), (e: ApiError) => e.code === "RESOURCE_DOES_NOT_EXIST");
  const exp = await createTestExperiment();
  await getPool().query("UPDATE experiments SET lifecycle_stage = 'deleted' WHERE experiment_id = $1", [exp]);
  await assert.rejects(ingestSpans(exp, [clone(root)]), (e: ApiError) => e.code === "INVALID_PARAMETER_VALUE" && e.status === 400);
  assert.equal(await traceRow(traceId), undefined);
  assert.equal((await spanRows(traceId)).length, 0);
});

function startTraceInfo(traceId: string, exp: string) {
  return {
    traceId,
    experimentId: exp,
    requestTimeMs: 1_700_000_000_000,
    executionDurationMs: 2600,
    state: "OK" as const,
    requestPreview: "client request preview",
    responsePreview: "client response preview",
    metadata: {
      "mlflow.trace_schema.version": "3",
      "mlflow.trace.session": "client-session",
      "mlflow.trace.tokenUsage": '{"input_tokens": 100, "output_tokens": 50, "total_tokens": 150}',
      "mlflow.user": "alice",
    },
    tags: { "mlflow.traceName": "client-name", turn: "1" },
  };
}

test("StartTraceV3 and OTLP merge in either order, client values win, spans kept", async () => {
  const exp = await createTestExperiment();
  const outcomes: Record<string, any>[] = [];
  for (const infoFirst of [true, false]) {
    const x = sampleTrace();
    const info = startTraceInfo(x.traceId, exp);
    if (infoFirst) {
      await upsertTraceInfo(info);
      const t = await traceRow(x.traceId);
      assert.equal(t?.tags["mlflow.trace.spansLocation"], undefined, "no spans held yet");
      assert.equal(t?.tags["mlflow.artifactLocation"], `mlflow-artifacts:/${exp}/traces/${x.traceId}/artifacts`);
      await ingestSpans(exp, [x.root, x.llm, x.tool].map(clone));
    } else {
      await ingestSpans(exp, [x.root, x.llm, x.tool].map(clone));
      await upsertTraceInfo(info);
    }
    const t = await traceRow(x.traceId);
    assert.ok(t);
    assert.equal(t.info_finalized, true);
    assert.equal(t.name, "client-name");
    assert.equal(t.tags["mlflow.traceName"], "client-name");
    assert.equal(t.tags.turn, "1");
    assert.equal(t.tags.team, "search", "derived tag kept");
    assert.equal(t.tags["mlflow.trace.spansLocation"], "TRACKING_STORE");
    assert.equal(t.request_preview, "client request preview");
    assert.equal(t.session_id, "client-session");
    assert.equal(t.user_id, "user-1", "derived user kept where the client gave none");
    assert.equal(t.trace_metadata["mlflow.user"], "alice");
    assert.equal(t.input_tokens, "100");
    assert.equal(t.total_tokens, "150");
    assert.equal(t.request_time, "1700000000000");
    assert.equal(t.execution_duration, "2600");
    assert.equal(t.end_time, "1700000002600");
    assert.equal(t.state, "OK");
    assert.equal(t.span_count, 3);
    assert.equal((await spanRows(x.traceId)).length, 3);
    const { trace_id, updated_at, root_span_id, tags, ...rest } = t;
    outcomes.push({ ...rest, tags: { ...tags, "mlflow.artifactLocation": undefined } });
  }
  assert.deepEqual(outcomes[1], outcomes[0]);
});

test("StartTraceV3 rows and spans waiting together go in one transaction; a bad request of either kind fails alone", async () => {
  const exp = await createTestExperiment();
  // every request is queued before the writer takes any (one tick), so one write holds both kinds, each
  // trace's StartTraceV3 with its spans: requests with traces of their own (the rows each computed on arrival
  // are joined), then also requests sharing traces (rows computed over all of them), then with bad requests
  for (const round of ["own traces", "shared traces", "bad requests"]) {
    const traces = Array.from({ length: 10 }, () => sampleTrace());
    const split = (i: number) => round !== "own traces" && i % 2 === 0;
    const before = writerStats.combinedWrites;
    const results = await Promise.allSettled([
      ...traces.flatMap((x, i) => [
        upsertTraceInfo(startTraceInfo(x.traceId, exp)),
        ingestSpans(exp, split(i) ? [clone(x.root)] : [x.root, x.llm, x.tool].map(clone)),
      ]),
      ...(round === "bad requests" ? [ingestSpans("987654321", [clone(sampleTrace().root)]), upsertTraceInfo(startTraceInfo("tr-" + hex(16), "987654321"))] : []),
      ...traces.filter((_, i) => split(i)).map((x) => ingestSpans(exp, [x.llm, x.tool].map(clone))),
    ]);
    const withBad = round === "bad requests";
    assert.ok(writerStats.combinedWrites > before, "StartTraceV3 rows and spans were written together");
    const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    assert.deepEqual(rejected.map((r) => (r.reason as ApiError).code), withBad ? ["RESOURCE_DOES_NOT_EXIST", "RESOURCE_DOES_NOT_EXIST"] : []);
    for (const x of traces) {
      const t = await traceRow(x.traceId);
      assert.ok(t, x.traceId);
      assert.equal(t.info_finalized, true);
      assert.equal(t.name, "client-name");
      assert.equal(t.request_preview, "client request preview");
      assert.equal(t.total_tokens, "150", "the client's token usage wins");
      assert.equal(t.span_count, 3);
      assert.equal(t.error_count, 1);
      assert.equal(t.tags["mlflow.trace.spansLocation"], "TRACKING_STORE");
      assert.equal(t.tags["mlflow.artifactLocation"], `mlflow-artifacts:/${exp}/traces/${x.traceId}/artifacts`);
      assert.equal((await spanRows(x.traceId)).length, 3);
    }
  }
});

test("a shared write with more spans than one round trip takes goes by COPY, with the StartTraceV3 rows waiting with it", async () => {
  const exp = await createTestExperiment();
  const traces = Array.from({ length: 6 }, () => costlyTrace(60));
  const before = writerStats.copyWrites;
  // queued in one tick: 360 spans of 6 traces, each with its StartTraceV3
  await Promise.all(traces.flatMap((spans) => [upsertTraceInfo(startTraceInfo(spans[0].traceId, exp)), ingestSpans(exp, spans)]));
  assert.ok(writerStats.copyWrites > before, "the write went by COPY");
  for (const spans of traces) {
    const t = await traceRow(spans[0].traceId);
    assert.ok(t);
    assert.equal(t.info_finalized, true);
    assert.equal(t.span_count, 60);
    assert.equal(t.total_tokens, "150", "the client's token usage wins");
    assert.equal(t.tags["mlflow.trace.spansLocation"], "TRACKING_STORE");
    assert.equal((await spanRows(spans[0].traceId)).length, 60);
  }
});

test("upsertTraceInfo refuses unknown experiments", async () => {
  await assert.rejects(upsertTraceInfo(startTraceInfo("tr-" + hex(16), "876543210")), (e: ApiError) => e.code === "RESOURCE_DOES_NOT_EXIST");
});

test("loadSpans gives back the stored spans in the span model, ordered by start time", async () => {
  const exp = await createTestExperiment();
  const x = sampleTrace();
  await ingestSpans(exp, [x.tool, x.root, x.llm].map(clone));
  const map = await loadSpans([x.traceId, "tr-" + hex(16)]);
  assert.equal(map.size, 1);
  const spans = map.get(x.traceId)!;
  assert.deepEqual(spans.map((s) => s.name), ["agent_turn", "chat", "search"]);
  const root = spans[0];
  assert.equal(root.parentSpanId, null);
  assert.equal(root.startTimeNs, x.root.startTimeNs);
  assert.deepEqual(root.attributes["mlflow.spanInputs"], x.root.attributes["mlflow.spanInputs"]);
  assert.equal(root.attributes["mlflow.traceRequestId"], x.traceId);
  const search = spans[2];
  assert.deepEqual(search.status, { code: "ERROR", message: "boom" });
  assert.equal(search.events[0].timeNs, 1_700_000_002_000_000_001n);
  assert.equal(spans[1].attributes["mlflow.spanType"], "CHAT_MODEL");
});

test("text with NUL characters, tabs, newlines and backslashes survives COPY", async () => {
  const exp = await createTestExperiment();
  const traceId = "tr-" + hex(16);
  const weird = "a\tb\nc\\d\re\u0000f 'quoted' \\N";
  await ingestSpans(exp, [makeSpan({ traceId, name: weird, attributes: { "mlflow.spanInputs": { q: weird }, note: weird } })]);
  const [row] = await spanRows(traceId);
  assert.equal(row.name, "a\tb\nc\\d\ref 'quoted' \\N");
  assert.equal(JSON.parse(row.inputs).q, weird);
  assert.equal(row.attributes.note, "a\tb\nc\\d\re\ufffdf 'quoted' \\N");
});

test("concurrent requests for the same trace serialize: counts and totals stay exact", async () => {
  const exp = await createTestExperiment();
  const traceId = "tr-" + hex(16);
  const rootId = hex(8);
  const spans = Array.from({ length: 40 }, (_, i) =>
    makeSpan({
      traceId,
      name: i === 0 ? "root" : `child-${i}`,
      spanId: i === 0 ? rootId : hex(8),
      parentSpanId: i === 0 ? null : rootId,
      attributes: { "mlflow.chat.tokenUsage": { input_tokens: 1, output_tokens: 2, total_tokens: 3 } },
    }),
  );
  // 20 requests of 2 spans each, all at once, plus every span re-sent once more
  const batches = Array.from({ length: 20 }, (_, i) => spans.slice(i * 2, i * 2 + 2));
  await Promise.all([...batches, ...batches.slice().reverse()].map((b) => ingestSpans(exp, b.map(clone))));
  const t = await traceRow(traceId);
  assert.equal(t?.span_count, 40);
  assert.equal(t?.input_tokens, "40");
  assert.equal(t?.total_tokens, "120");
  assert.equal(t?.state, "OK");
  assert.equal((await spanRows(traceId)).length, 40);
});

test("previews and tags with quotes and backslashes are stored verbatim", async () => {
  const exp = await createTestExperiment();
  const traceId = "tr-" + hex(16);
  const text = `it's a \\path\\ with "quotes" and \\' tricks`;
  await ingestSpans(exp, [makeSpan({ traceId, name: text, attributes: { "mlflow.spanInputs": text, "mlflow.traceTag.note": text, "session.id": text } })]);
  const t = await traceRow(traceId);
  assert.equal(t?.request_preview, text);
  assert.equal(t?.name, text);
  assert.equal(t?.tags.note, text);
  assert.equal(t?.session_id, text);
});

test("large batches (the COPY path) store the same rows as small ones (the VALUES path)", async () => {
  const exp = await createTestExperiment();
  const weird = "a\tb\nc\\d\re\u0000f 'q' \\N";
  const build = () => {
    const traceId = "tr-" + hex(16);
    const rootId = hex(8);
    return Array.from({ length: 70 }, (_, i) =>
      makeSpan({
        traceId,
        name: i ? `${weird}-${i}` : "root",
        spanId: i ? hex(8) : rootId,
        parentSpanId: i ? rootId : null,
        startTimeNs: 1_700_000_000_000_000_000n + BigInt(i),
        status: i === 3 ? { code: "ERROR", message: weird } : { code: "OK", message: "" },
        attributes: { "mlflow.spanInputs": { q: weird, i }, note: weird, "gen_ai.usage.input_tokens": 2, "gen_ai.usage.output_tokens": 1 },
        events: i === 3 ? [{ name: "exception", timeNs: 5n, attributes: { "exception.message": weird } }] : [],
      }),
    );
  };
  const a = build();
  const b = build();
  await ingestSpans(exp, a.map(clone)); // 70 spans: COPY
  for (let i = 0; i < b.length; i += 10) await ingestSpans(exp, b.slice(i, i + 10).map(clone)); // 10 at a time: VALUES
  const norm = async (spans: NormalizedSpan[]) => {
    const rows: Record<string, any>[] = await spanRows(spans[0].traceId);
    const ids = new Map(spans.map((s, i) => [s.spanId, i]));
    return rows.map(({ trace_id, span_id, parent_span_id, ...r }): Record<string, any> => ({ ...r, i: ids.get(span_id), parent: parent_span_id ? ids.get(parent_span_id) : null }));
  };
  const ra = await norm(a);
  assert.equal(ra.length, 70);
  assert.deepEqual(await norm(b), ra);
  assert.equal(ra[1].name, "a\tb\nc\\d\ref 'q' \\N-1");
  assert.equal(JSON.parse(ra[1].inputs).q, weird);
  const ta = await traceRow(a[0].traceId);
  const tb = await traceRow(b[0].traceId);
  for (const t of [ta, tb]) {
    assert.equal(t?.span_count, 70);
    assert.equal(t?.error_count, 1);
    assert.equal(t?.input_tokens, "140");
    assert.equal(t?.total_tokens, "210");
  }
  // re-sending a large batch (COPY hits existing keys, the request retries with a DELETE first) replaces
  const again = a.map(clone);
  again[5].name = "renamed";
  await ingestSpans(exp, again);
  const rows = await spanRows(a[0].traceId);
  assert.equal(rows.length, 70);
  assert.equal(rows.find((r) => r.span_id === a[5].spanId)?.name, "renamed");
  assert.equal((await traceRow(a[0].traceId))?.span_count, 70);
  // and a small re-send (INSERT … ON CONFLICT) too
  const one = clone(b[7]);
  one.status = { code: "ERROR", message: "late" };
  await ingestSpans(exp, [one]);
  const tb2 = await traceRow(b[0].traceId);
  assert.equal(tb2?.span_count, 70);
  assert.equal(tb2?.error_count, 2);
});

// ------------------------------------------------------------------ group commit and the two write paths

test("requests written together: a bad request fails alone, the others are stored", async () => {
  const exp = await createTestExperiment();
  const traces = Array.from({ length: 12 }, () => sampleTrace());
  const bad = sampleTrace();
  const results = await Promise.allSettled([
    ...traces.map((x) => ingestSpans(exp, [clone(x.root)])),
    ingestSpans("987654320", [clone(bad.root)]),
    ...traces.map((x) => ingestSpans(exp, [clone(x.llm), clone(x.tool)])),
  ]);
  const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
  assert.equal(rejected.length, 1);
  assert.equal((rejected[0].reason as ApiError).code, "RESOURCE_DOES_NOT_EXIST");
  assert.match((rejected[0].reason as ApiError).message, /987654320/);
  assert.equal(await traceRow(bad.traceId), undefined);
  for (const x of traces) {
    const row = await traceRow(x.traceId);
    assert.equal(row?.span_count, 3);
    assert.equal(row?.error_count, 1);
    assert.equal(row?.state, "OK");
    assert.equal(Number(row?.total_tokens), 18, "10 + 5 derived from gen_ai.usage, 3 from the tool span");
  }
});

test("one trace named under two experiments at once: the trace keeps one experiment, and so do its spans", async () => {
  const a = await createTestExperiment();
  const b = await createTestExperiment();
  for (let round = 0; round < 3; round++) {
    const x = sampleTrace();
    await Promise.all([ingestSpans(a, [clone(x.root)]), ingestSpans(b, [clone(x.llm)]), ingestSpans(a, [clone(x.tool)])]);
    const row = await traceRow(x.traceId);
    assert.ok(row);
    assert.equal(row.span_count, 3);
    const spans = await spanRows(x.traceId);
    assert.deepEqual([...new Set(spans.map((s) => String(s.experiment_id)))], [String(row.experiment_id)]);
  }
});

test("spans sent later under another experiment take the experiment of their trace", async () => {
  const a = await createTestExperiment();
  const b = await createTestExperiment();
  const x = sampleTrace();
  await ingestSpans(a, [clone(x.root)]);
  await ingestSpans(b, [clone(x.llm), clone(x.tool)]);
  const row = await traceRow(x.traceId);
  assert.equal(String(row?.experiment_id), a);
  assert.equal(row?.span_count, 3);
  const spans = await spanRows(x.traceId);
  assert.deepEqual(spans.map((s) => String(s.experiment_id)), [a, a, a]);
});

/** n spans of one trace, each with fractional costs and token usage, under one root. */
function costlyTrace(n: number): NormalizedSpan[] {
  const traceId = "tr-" + hex(16);
  const root = makeSpan({ traceId, name: "root", attributes: { "mlflow.spanType": "AGENT" } });
  const spans = [root];
  for (let i = 1; i < n; i++) {
    spans.push(
      makeSpan({
        traceId,
        name: `llm-${i}`,
        parentSpanId: root.spanId,
        attributes: {
          "mlflow.spanType": "CHAT_MODEL",
          "mlflow.chat.tokenUsage": { input_tokens: 10, output_tokens: 1.5, total_tokens: 11.5 },
          "mlflow.llm.cost": { input_cost: 0.1, output_cost: 0.2, total_cost: 1e-7 * i },
        },
      }),
    );
  }
  return spans;
}

test("token and cost totals are the same whether the trace was new (summed by the server) or recomputed by SQL", async () => {
  const exp = await createTestExperiment();
  for (const n of [3, 300]) {
    // 300 spans take the COPY path; 3 the one-round-trip path
    const spans = costlyTrace(n);
    await ingestSpans(exp, spans.map(clone));
    const fresh = await traceRow(spans[0].traceId);
    assert.equal(fresh?.span_count, n);
    // re-sending everything makes the database recompute from the stored span rows
    await ingestSpans(exp, spans.map(clone));
    const again = await traceRow(spans[0].traceId);
    assert.equal(again?.span_count, n, "re-sent spans replaced, not duplicated");
    assert.equal((await spanRows(spans[0].traceId)).length, n);
    for (const k of ["mlflow.trace.tokenUsage", "mlflow.trace.cost"]) assert.equal(fresh?.trace_metadata[k], again?.trace_metadata[k], `${k} for ${n} spans`);
    assert.equal(fresh?.cost, again?.cost);
    assert.equal(fresh?.input_tokens, again?.input_tokens);
    const usage = JSON.parse(fresh?.trace_metadata["mlflow.trace.tokenUsage"]);
    // output_tokens: (n-1) × 1.5 summed exactly, then rounded half away from zero
    assert.deepEqual(usage, { input_tokens: 10 * (n - 1), output_tokens: Math.round(1.5 * (n - 1)), total_tokens: Math.round(11.5 * (n - 1)) });
    const cost = JSON.parse(fresh?.trace_metadata["mlflow.trace.cost"]);
    assert.equal(cost.input_cost, Number((0.1 * (n - 1)).toFixed(10)));
  }
});

test("many traces in one COPY write, some already stored: replaced once, totals recomputed", async () => {
  const exp = await createTestExperiment();
  const traces = Array.from({ length: 40 }, () => costlyTrace(8));
  // half of them first, then all of them in one write (320 spans: the COPY path, with a 23505 retry)
  await ingestSpans(exp, traces.slice(0, 20).flat().map(clone));
  const r = await ingestSpans(exp, traces.flat().map(clone));
  assert.deepEqual(r, { traces: 40, spans: 320 });
  for (const spans of traces) {
    const row = await traceRow(spans[0].traceId);
    assert.equal(row?.span_count, 8);
    assert.equal(Number(row?.input_tokens), 70);
    assert.equal((await spanRows(spans[0].traceId)).length, 8);
  }
});

test("ingestion goes on after the database drops every connection", async () => {
  const exp = await createTestExperiment();
  const before = sampleTrace();
  await Promise.all([ingestSpans(exp, [clone(before.root)]), ingestSpans(exp, [clone(before.llm)])]);
  // as if PostgreSQL restarted: every other session of this database ends (the test server's too)
  await getPool().query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
  await new Promise((r) => setTimeout(r, 300));
  const after = sampleTrace();
  await Promise.all([ingestSpans(exp, [clone(after.root)]), ingestSpans(exp, [clone(after.llm)]), ingestSpans(exp, [clone(after.tool)])]);
  assert.equal((await traceRow(after.traceId))?.span_count, 3);
  assert.equal((await traceRow(before.traceId))?.span_count, 2);
});

test("StartTraceV3 writes go on after the database drops every connection, batched or not", async () => {
  const exp = await createTestExperiment();
  const info = (traceId: string) => ({ traceId, experimentId: exp, requestTimeMs: Date.now(), executionDurationMs: 5, state: "OK" as const, metadata: { "mlflow.trace.session": "s-restart" }, tags: {} });
  const first = Array.from({ length: 6 }, () => "tr-" + hex(16));
  const rows = await Promise.all(first.map((id) => upsertTraceInfo(info(id))));
  assert.deepEqual(rows.map((r) => r.traceId), first);
  await getPool().query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
  await new Promise((r) => setTimeout(r, 300));
  const second = Array.from({ length: 6 }, () => "tr-" + hex(16));
  const again = await Promise.all(second.map((id) => upsertTraceInfo(info(id))));
  assert.deepEqual(again.map((r) => r.traceId), second);
  const { rows: stored } = await getPool().query("SELECT count(*)::int AS n FROM traces WHERE trace_id = ANY($1)", [[...first, ...second]]);
  assert.equal(stored[0].n, 12);
});
