// Replays every recorded client session of ../shared/fixtures/wire (README there) against the server, with
// the exact bodies and content types, into experiments of this test, and checks the answers and what is
// stored: trace rows, span rows with their parents and types, metadata, previews, sessions and users.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { parseJson } from "./json";
import { FIXTURE_SPAN_TYPES } from "../testing/otlp-fixtures";
import { closeTestDb, http, httpLossless, newExperiment, replayWire, testDb, uniqueName, type Replay } from "../testing/mlflow";

after(closeTestDb);

const b64hex = (s: string) => Buffer.from(s, "base64").toString("hex");

function assertAllOk(r: Replay): void {
  for (const { line, status, text } of r.responses) {
    assert.equal(status, line.response.status, `seq ${line.seq} ${line.method} ${line.path}: ${status} ${text.slice(0, 300)}`);
  }
}

/** The spans a traces.json upload of the capture declared: span id → {name, parent}. */
function uploadedSpans(r: Replay, hexTraceId: string): Map<string, { name: string; parent: string | null; start: bigint }> {
  const out = new Map<string, { name: string; parent: string | null; start: bigint }>();
  for (const { line } of r.responses) {
    if (line.method !== "PUT" || !line.path.includes("traces.json")) continue;
    const recorded = [...r.idMap].find(([, now]) => now === hexTraceId)?.[0];
    if (!recorded || !line.path.includes(recorded)) continue;
    const doc = parseJson(line.body_text!) as { spans: { span_id: string; parent_span_id: string; name: string; start_time_unix_nano: bigint }[] };
    for (const s of doc.spans) out.set(b64hex(s.span_id), { name: s.name, parent: s.parent_span_id ? b64hex(s.parent_span_id) : null, start: BigInt(s.start_time_unix_nano) });
  }
  return out;
}

async function spanRows(traceId: string) {
  return (
    await testDb().query<{ span_id: string; parent_span_id: string | null; name: string; span_type: string; status_code: string; start: string; events: unknown[] }>(
      `SELECT span_id, parent_span_id, name, span_type, status_code, start_time_ns::text AS start, events FROM spans WHERE trace_id = $1 ORDER BY start_time_ns, span_id`,
      [traceId],
    )
  ).rows;
}

async function traceRow(traceId: string) {
  return (await testDb().query(`SELECT * FROM traces WHERE trace_id = $1`, [traceId])).rows[0];
}

/** What every MLflow-SDK TypeScript replay must leave behind (files a and b, both SDK versions). */
async function checkTsReplay(file: string, expectedSpanCounts: number[], session: boolean): Promise<void> {
  const exp = await newExperiment("wire-ts");
  const r = await replayWire(file, exp);
  assertAllOk(r);
  const starts = r.responses.filter((x) => x.line.method === "POST" && x.line.path === "/api/3.0/mlflow/traces");
  assert.equal(starts.length, expectedSpanCounts.length);
  const traceIds = [...r.idMap.values()].map((h) => "tr-" + h);
  assert.equal(traceIds.length, expectedSpanCounts.length);
  for (const [i, s] of starts.entries()) {
    const ti = s.json.trace.trace_info;
    const traceId = traceIds[i];
    assert.equal(ti.trace_id, traceId);
    // the TS SDK needs this tag to upload; its path must be where it then PUTs
    assert.equal(ti.tags["mlflow.artifactLocation"], `mlflow-artifacts:/${exp}/traces/${traceId}/artifacts`);
    const sent = JSON.parse(s.line.body_text!).trace.trace_info;
    assert.equal(ti.request_time, sent.request_time);
    assert.equal(ti.execution_duration, sent.execution_duration);
    assert.equal(ti.state, sent.state);
    assert.equal(ti.request_preview, sent.request_preview);
    assert.equal(ti.response_preview, sent.response_preview);
    for (const [k, v] of Object.entries(sent.trace_metadata as Record<string, string>)) assert.equal(ti.trace_metadata[k], v, k);
    for (const [k, v] of Object.entries(sent.tags as Record<string, string>)) assert.equal(ti.tags[k], v, k);
  }
  const puts = r.responses.filter((x) => x.line.method === "PUT");
  assert.equal(puts.length, expectedSpanCounts.length);
  for (const p of puts) assert.deepEqual(p.json, {});

  for (const [i, traceId] of traceIds.entries()) {
    const rows = await spanRows(traceId);
    assert.equal(rows.length, expectedSpanCounts[i], `${file} trace ${i + 1}: one row per span, whatever the number of deliveries`);
    const uploaded = uploadedSpans(r, traceId.slice(3));
    assert.equal(uploaded.size, rows.length);
    for (const row of rows) {
      const u = uploaded.get(row.span_id);
      assert.ok(u, `span ${row.span_id} was uploaded`);
      assert.equal(row.name, u.name);
      assert.equal(row.parent_span_id, u.parent, `parent of ${row.name}`);
      assert.equal(row.span_type, FIXTURE_SPAN_TYPES[row.name], `type of ${row.name}`);
      assert.equal(row.start, u.start.toString(), `exact start of ${row.name}`);
    }
    const t = await traceRow(traceId);
    assert.equal(t.experiment_id, exp);
    assert.equal(t.state, "OK");
    assert.equal(t.span_count, rows.length);
    const sent = JSON.parse(starts[i].line.body_text!).trace.trace_info;
    assert.equal(t.request_preview, sent.request_preview);
    assert.equal(t.response_preview, sent.response_preview);
    assert.equal(Number(t.request_time), Date.parse(sent.request_time));
    if (session) {
      assert.equal(t.session_id, "session-fixture-0001");
      assert.equal(t.user_id, "user-fixture-0001");
    }
    const tokens = JSON.parse(sent.trace_metadata["mlflow.trace.tokenUsage"]);
    assert.equal(Number(t.total_tokens), tokens.total_tokens);
  }

  // the failing tool span of turn 2 (file b): status and exception event survive
  if (expectedSpanCounts.length === 3) {
    const ws = (await spanRows(traceIds[1])).find((s) => s.name === "web_search");
    assert.equal(ws?.status_code, "ERROR");
    assert.equal((ws?.events as { name: string }[])[0].name, "exception");
  }

  // read back the way each SDK generation does: traces/get (0.2) or traces.json (0.1)
  for (const [i, traceId] of traceIds.entries()) {
    const got = await httpLossless("GET", `/api/3.0/mlflow/traces/get?trace_id=${traceId}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.trace.spans.length, expectedSpanCounts[i]);
    const doc = await httpLossless("GET", `/api/2.0/mlflow-artifacts/artifacts/${exp}/traces/${traceId}/artifacts/traces.json`);
    assert.equal(doc.status, 200);
    const uploaded = uploadedSpans(r, traceId.slice(3));
    for (const s of doc.json.spans) assert.equal(BigInt(s.start_time_unix_nano), uploaded.get(b64hex(s.span_id))?.start);
  }
}

test("a-quickstart-openai (TS SDK 0.2: StartTraceV3, traces.json, OTLP)", () => checkTsReplay("a-quickstart-openai.jsonl", [1], false));
test("a-quickstart-openai.sdk-0.1.1 (StartTraceV3, traces.json)", () => checkTsReplay("a-quickstart-openai.sdk-0.1.1.jsonl", [1], false));
test("b-nested-spans-session (3 turns, failing tool span)", () => checkTsReplay("b-nested-spans-session.jsonl", [6, 7, 6], true));
test("b-nested-spans-session.sdk-0.1.1", () => checkTsReplay("b-nested-spans-session.sdk-0.1.1.jsonl", [6, 7, 6], true));

for (const file of ["c1-otel-otlp-proto.jsonl", "c2-otel-otlp-json.jsonl"]) {
  test(`${file} (plain OpenTelemetry exporter) is readable through the MLflow API`, async () => {
    const exp = await newExperiment("wire-otel");
    const r = await replayWire(file, exp);
    assertAllOk(r);
    const traceIds = [...r.idMap.values()].map((h) => "tr-" + h);
    assert.equal(traceIds.length, 3);
    const search = await http("POST", "/api/3.0/mlflow/traces/search", {
      locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } }],
      filter: "metadata.`mlflow.trace.session` = 'session-fixture-0001'",
      order_by: ["timestamp_ms ASC"],
    });
    assert.equal(search.status, 200, search.text);
    assert.deepEqual(search.json.traces.map((t: any) => t.trace_id), traceIds);
    for (const t of search.json.traces) {
      assert.equal(t.tags["mlflow.traceName"], "agent_turn");
      assert.equal(t.tags["mlflow.artifactLocation"], `mlflow-artifacts:/${exp}/traces/${t.trace_id}/artifacts`);
      assert.equal(t.trace_metadata["mlflow.trace.user"], "user-fixture-0001");
      assert.equal(t.state, "OK");
    }
    const batch = await httpLossless("GET", `/api/3.0/mlflow/traces/batchGet?${traceIds.map((t) => `trace_ids=${t}`).join("&")}`);
    assert.deepEqual(batch.json.traces.map((t: any) => t.spans.length), [6, 7, 6]);
    for (const traceId of traceIds) {
      const rows = await spanRows(traceId);
      const root = rows.filter((s) => s.parent_span_id === null);
      assert.equal(root.length, 1);
      assert.equal(root[0].name, "agent_turn");
      for (const s of rows) {
        assert.equal(s.span_type, FIXTURE_SPAN_TYPES[s.name], s.name);
        if (s.parent_span_id) assert.ok(rows.some((p) => p.span_id === s.parent_span_id), `parent of ${s.name} is in the trace`);
      }
    }
  });
}

test("p-python-client-session (Python 3.6: set_experiment, per-span OTLP, StartTraceV3, feedback, search, batchGet)", async () => {
  const name = uniqueName("scenario-p-python");
  const r = await replayWire("p-python-client-session.jsonl", null, { experimentName: name });
  assertAllOk(r);
  const exp = r.experimentId;
  assert.match(exp, /^\d+$/);
  const res = (seq: number) => r.responses[seq - 1];

  assert.equal(res(1).json.error_code, "RESOURCE_DOES_NOT_EXIST");
  assert.equal(res(3).json.experiment.name, name);
  assert.equal(res(3).json.experiment.artifact_location, `mlflow-artifacts:/${exp}`);
  const [major, minor] = res(4).text.trim().split(".").map(Number);
  assert.ok(major > 3 || (major === 3 && minor >= 4), `/version ${res(4).text} enables incremental export`);

  const traceIds = [...r.idMap.values()].map((h) => "tr-" + h);
  assert.equal(traceIds.length, 3);
  for (const seq of [11, 19, 26]) {
    const ti = res(seq).json.trace.trace_info;
    assert.ok(traceIds.includes(ti.trace_id));
    // spans came first by OTLP: the client must be told not to upload traces.json
    assert.equal(ti.tags["mlflow.trace.spansLocation"], "TRACKING_STORE");
    assert.equal(ti.tags["mlflow.artifactLocation"], `mlflow-artifacts:/${exp}/traces/${ti.trace_id}/artifacts`);
    assert.equal(ti.tags["mlflow.traceName"], "agent_turn");
    assert.equal(ti.tags.scenario, "p-python");
    assert.equal(ti.trace_metadata["mlflow.trace.session"], "session-fixture-0001");
    assert.equal(ti.state, "OK");
  }

  const fb = res(27).json.assessment;
  assert.match(fb.assessment_id, /^a-[0-9a-f]{32}$/);
  assert.equal(fb.assessment_name, "user_satisfaction");
  assert.deepEqual(fb.feedback, { value: true });
  assert.deepEqual(fb.source, { source_type: "HUMAN", source_id: "user-fixture-0001" });

  const found = res(28).json.traces;
  assert.deepEqual(found.map((t: any) => t.trace_id).sort(), [...traceIds].sort());
  assert.equal(found[0].trace_id, traceIds[2], "newest first");
  const withFeedback = found.find((t: any) => t.assessments.length);
  assert.equal(withFeedback.trace_id, "tr-" + r.idMap.get("2b4ac4918ac903c471801932c3700de1"));
  assert.equal(res(28).json.next_page_token, undefined);

  const batch = res(29).json.traces;
  assert.equal(batch.length, 3);
  const counts = Object.fromEntries(batch.map((t: any) => [t.trace_info.trace_id, t.spans.length]));
  assert.deepEqual(traceIds.map((t) => counts[t]), [6, 7, 6]);
  for (const t of batch) {
    const ids = new Set(t.spans.map((s: any) => s.span_id));
    const roots = t.spans.filter((s: any) => s.parent_span_id === "");
    assert.equal(roots.length, 1);
    assert.equal(roots[0].name, "agent_turn");
    for (const s of t.spans) if (s.parent_span_id) assert.ok(ids.has(s.parent_span_id), `parent of ${s.name}`);
    assert.equal(typeof roots[0].start_time_unix_nano, "bigint", "ns timestamps are bare integers above 2^53");
  }
  assert.equal(res(30).json.trace.trace_info.trace_id, traceIds[0]);
  assert.equal(res(31).json.traces.length, 1);

  for (const traceId of traceIds) {
    const t = await traceRow(traceId);
    assert.equal(t.session_id, "session-fixture-0001");
    assert.equal(t.user_id, "user-fixture-0001");
    assert.equal(t.request_preview, JSON.parse(res([11, 19, 26][traceIds.indexOf(traceId)]).line.body_text!).trace.trace_info.request_preview);
    for (const s of await spanRows(traceId)) assert.equal(s.span_type, FIXTURE_SPAN_TYPES[s.name], s.name);
  }
});
