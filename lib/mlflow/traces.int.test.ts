// Trace routes over HTTP (spec §3–§7): StartTraceV3 + traces.json, reads, search, tags, deletion, links,
// assessments, v2 routes, lossless int64, idempotent re-sends and all-or-nothing failures.
import assert from "node:assert/strict";
import { parseJson, stringifyJson } from "./json";
import { request } from "node:http";
import { after, test } from "node:test";
import {
  closeTestDb,
  http,
  httpLossless,
  makeSpans,
  newExperiment,
  randomTraceId,
  sendTrace,
  startTraceBody,
  testDb,
  traceDoc,
} from "../testing/mlflow";

after(closeTestDb);

/** An HTTP request with the path exactly as given (no client-side normalization of "." and ".."). */
function rawRequest(method: string, rawPath: string, body: string): Promise<{ status: number; body: string }> {
  const u = new URL(process.env.FLOWTRACE_URL!);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path: rawPath, headers: { "content-type": "text/plain" } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const artifactPath = (exp: string, traceId: string) => `/api/2.0/mlflow-artifacts/artifacts/${exp}/traces/${traceId}/artifacts/traces.json`;

test("StartTraceV3 stores the info and answers with the server tags; traces.json becomes span rows", async () => {
  const exp = await newExperiment("start");
  const traceId = randomTraceId();
  const start = await httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, traceId, {
    requestTimeMs: 1718460461282,
    durationMs: 1537,
    metadata: { "mlflow.trace.session": "s-1", "mlflow.trace.user": "u-1" },
    tags: { "mlflow.traceName": "chat", team: "nlp" },
  }));
  assert.equal(start.status, 200, start.text);
  const ti = start.json.trace.trace_info;
  assert.equal(ti.trace_id, traceId);
  assert.deepEqual(ti.trace_location, { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } });
  assert.equal(ti.request_time, "2024-06-15T14:07:41.282Z");
  assert.equal(ti.execution_duration, "1.537s");
  assert.equal(ti.state, "OK");
  assert.equal(ti.trace_metadata["mlflow.trace.session"], "s-1");
  assert.equal(ti.tags["mlflow.artifactLocation"], `mlflow-artifacts:/${exp}/traces/${traceId}/artifacts`);
  assert.equal(ti.tags["mlflow.traceName"], "chat");
  assert.deepEqual(ti.assessments, []);

  const spans = makeSpans(3, 1718460461282);
  const put = await httpLossless("PUT", artifactPath(exp, traceId), traceDoc(traceId, spans));
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.json, {});

  const { rows } = await testDb().query(`SELECT span_id, parent_span_id, name, span_type, start_time_ns::text AS s FROM spans WHERE trace_id = $1 ORDER BY start_time_ns`, [traceId]);
  assert.equal(rows.length, 3);
  assert.equal(rows[0].parent_span_id, null);
  assert.equal(rows[0].span_type, "AGENT");
  assert.equal(rows[1].parent_span_id, spans[0].spanId);
  assert.equal(rows[1].span_type, "LLM");
  assert.equal(rows[0].s, spans[0].startNs.toString(), "nanoseconds stored exactly");
  const t = (await testDb().query(`SELECT name, session_id, user_id, state FROM traces WHERE trace_id = $1`, [traceId])).rows[0];
  assert.deepEqual(t, { name: "chat", session_id: "s-1", user_id: "u-1", state: "OK" });

  // the newer clients read it back from the tracking store
  const info = await httpLossless("GET", `/api/3.0/mlflow/traces/${traceId}?trace_id=${traceId}`);
  assert.equal(info.status, 200);
  assert.equal(info.json.trace.trace_info.tags["mlflow.trace.spansLocation"], "TRACKING_STORE");
  const got = await httpLossless("GET", `/api/3.0/mlflow/traces/get?trace_id=${traceId}&allow_partial=false`);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.trace.spans.length, 3);
  const root = got.json.trace.spans.find((s: any) => s.parent_span_id === "");
  assert.equal(root.span_id, Buffer.from(spans[0].spanId, "hex").toString("base64"));
  assert.equal(root.trace_id, Buffer.from(traceId.slice(3), "hex").toString("base64"));
  assert.equal(root.start_time_unix_nano, spans[0].startNs, "int64 exact in traces/get");
  assert.match(got.text, new RegExp(`"start_time_unix_nano":\\s*${spans[0].startNs}`));

  // older clients read traces.json, regenerated from the rows in format A
  const doc = await httpLossless("GET", artifactPath(exp, traceId));
  assert.equal(doc.status, 200);
  assert.equal(doc.json.spans.length, 3);
  const docRoot = doc.json.spans.find((s: any) => s.parent_span_id === "");
  assert.equal(docRoot.start_time_unix_nano, spans[0].startNs);
  assert.equal(docRoot.end_time_unix_nano, spans[0].endNs);
  assert.equal(JSON.parse(docRoot.attributes["mlflow.spanType"]), "AGENT");

  const ui = await fetch(`${process.env.FLOWTRACE_URL}/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${traceId}`);
  assert.equal(ui.status, 200);
  assert.equal(ui.headers.get("content-type"), "application/octet-stream");
  assert.equal(ui.headers.get("content-disposition"), "attachment; filename=traces.json");
  assert.equal(ui.headers.get("x-content-type-options"), "nosniff");
  assert.equal(JSON.parse(await ui.text()).spans.length, 3);
  const noId = await http("GET", "/ajax-api/2.0/mlflow/get-trace-artifact");
  assert.equal(noId.status, 400);
  assert.equal(noId.json.error_code, "BAD_REQUEST");
});

test("re-sending the same trace replaces it: one row, one copy of each span", async () => {
  const exp = await newExperiment("resend");
  const traceId = randomTraceId();
  const spans = makeSpans(4);
  await sendTrace(exp, traceId, spans, { tags: { v: "1" } });
  spans[1].name = "renamed_step";
  await sendTrace(exp, traceId, spans, { tags: { v: "2" }, state: "ERROR" });
  const { rows } = await testDb().query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE name = 'renamed_step')::int AS renamed FROM spans WHERE trace_id = $1`, [traceId]);
  assert.deepEqual(rows[0], { n: 4, renamed: 1 });
  const t = await testDb().query(`SELECT count(*)::int AS n, max(state) AS state, max(tags->>'v') AS v FROM traces WHERE trace_id = $1`, [traceId]);
  assert.deepEqual(t.rows[0], { n: 1, state: "ERROR", v: "2" });
});

test("unknown, deleted experiments and bad trace infos are refused, nothing is written", async () => {
  const traceId = randomTraceId();
  const unknown = await http("POST", "/api/3.0/mlflow/traces", startTraceBody("987654321", traceId));
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error_code, "RESOURCE_DOES_NOT_EXIST");

  const exp = await newExperiment("deleted");
  await http("POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: exp });
  const deleted = await http("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, traceId));
  assert.equal(deleted.status, 400);
  assert.equal(deleted.json.error_code, "INVALID_PARAMETER_VALUE");

  const live = await newExperiment("bad-info");
  const noTrace = await http("POST", "/api/3.0/mlflow/traces", {});
  assert.equal(noTrace.status, 400);
  assert.match(noTrace.json.message, /'trace'/);
  const body = startTraceBody(live, traceId) as any;
  delete body.trace.trace_info.trace_id;
  const noId = await http("POST", "/api/3.0/mlflow/traces", body);
  assert.equal(noId.status, 400);
  assert.match(noId.json.message, /trace_id/);
  const badDuration = startTraceBody(live, traceId) as any;
  badDuration.trace.trace_info.execution_duration = "soon";
  const r = await http("POST", "/api/3.0/mlflow/traces", badDuration);
  assert.equal(r.status, 400);
  assert.match(r.json.message, /execution_duration/);
  // an invalid assessment in the same request: rejected before anything is stored
  const badAssessment = startTraceBody(live, traceId, { assessments: [{ assessment_name: "x" }] });
  const ba = await http("POST", "/api/3.0/mlflow/traces", badAssessment);
  assert.equal(ba.status, 400);
  const { rows } = await testDb().query(`SELECT count(*)::int AS n FROM traces WHERE trace_id = $1`, [traceId]);
  assert.equal(rows[0].n, 0);

  const badDoc = await http("PUT", artifactPath(live, randomTraceId()), '{"spans": [', { "content-type": "application/json" });
  assert.equal(badDoc.status, 400);
  assert.match(badDoc.json.message, /JSON/);
});

test("a failing traces.json upload leaves the stored spans as they were", async () => {
  const exp = await newExperiment("atomic");
  const traceId = randomTraceId();
  const spans = makeSpans(3);
  await sendTrace(exp, traceId, spans);
  const good = JSON.parse(traceDoc(traceId, spans));
  const broken = { spans: [...good.spans.slice(0, 2), { ...good.spans[2], span_id: "not-an-id!" }] };
  broken.spans[0].name = "should-not-be-stored";
  const r = await http("PUT", artifactPath(exp, traceId), JSON.stringify(broken), { "content-type": "application/json" });
  assert.equal(r.status, 400, r.text);
  const { rows } = await testDb().query(`SELECT name FROM spans WHERE trace_id = $1 ORDER BY start_time_ns`, [traceId]);
  assert.deepEqual(rows.map((x) => x.name), ["agent", "step_1", "step_2"]);
});

test("StartTraceV3 carrying assessments stores them", async () => {
  const exp = await newExperiment("start-assess");
  const traceId = randomTraceId();
  const r = await http("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, traceId, {
    assessments: [{ assessment_name: "relevance", source: { source_type: "LLM_JUDGE", source_id: "gpt" }, feedback: { value: 0.9 }, rationale: "ok" }],
  }));
  assert.equal(r.status, 200, r.text);
  const a = r.json.trace.trace_info.assessments;
  assert.equal(a.length, 1);
  assert.match(a[0].assessment_id, /^a-[0-9a-f]{32}$/);
  assert.deepEqual(a[0].feedback, { value: 0.9 });
  assert.deepEqual(a[0].source, { source_type: "LLM_JUDGE", source_id: "gpt" });
  // a retried StartTraceV3 does not duplicate them
  const again = await http("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, traceId, {
    assessments: [{ assessment_name: "relevance", source: { source_type: "LLM_JUDGE", source_id: "gpt" }, feedback: { value: 0.9 }, rationale: "ok" }],
  }));
  assert.equal(again.status, 200);
  assert.deepEqual(again.json.trace.trace_info.assessments.map((x: any) => x.assessment_id), [a[0].assessment_id]);
});

test("StartTraceV3 whose assessment cannot be stored stores nothing (one transaction)", async () => {
  const exp = await newExperiment("start-assess-atomic");
  const traceId = randomTraceId();
  const r = await http("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, traceId, {
    assessments: [{ assessment_name: "relevance", source: { source_type: "HUMAN", source_id: "me" }, feedback: { value: 1 }, overrides: "a-00000000000000000000000000000000" }],
  }));
  assert.ok(r.status >= 400 && r.status < 500, r.text);
  assert.ok(r.json.error_code, r.text);
  const { rows } = await testDb().query(`SELECT count(*)::int AS n FROM traces WHERE trace_id = $1`, [traceId]);
  assert.equal(rows[0].n, 0, "the trace row was rolled back with the failed assessment");
});

test("get info, batchGet, batchGetInfos; unknown ids are 404 or left out", async () => {
  const exp = await newExperiment("reads");
  const a = randomTraceId();
  const b = randomTraceId();
  await sendTrace(exp, a, makeSpans(2));
  await sendTrace(exp, b, makeSpans(3));
  const missing = randomTraceId();
  const nf = await http("GET", `/api/3.0/mlflow/traces/${missing}`);
  assert.equal(nf.status, 404);
  assert.equal(nf.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  assert.equal(nf.json.message, `Trace with ID '${missing}' not found.`);

  const batch = await httpLossless("GET", `/api/3.0/mlflow/traces/batchGet?trace_ids=${a}&trace_ids=${missing}&trace_ids=${b}`);
  assert.equal(batch.status, 200);
  assert.deepEqual(batch.json.traces.map((t: any) => t.trace_info.trace_id), [a, b]);
  assert.deepEqual(batch.json.traces.map((t: any) => t.spans.length), [2, 3]);
  const one = await httpLossless("GET", `/api/3.0/mlflow/traces/batchGet?trace_ids=${b}`);
  assert.equal(one.json.traces.length, 1);

  const infos = await http("POST", "/api/3.0/mlflow/traces/batchGetInfos", { trace_ids: [b, a, missing] });
  assert.equal(infos.status, 200);
  assert.deepEqual(infos.json.trace_infos.map((t: any) => t.trace_id), [b, a]);
  assert.equal(infos.json.trace_infos[0].spans, undefined);
  const otherExp = await http("POST", "/api/3.0/mlflow/traces/batchGetInfos", { trace_ids: [a], experiment_ids: ["0"] });
  assert.deepEqual(otherExp.json.trace_infos, []);

  const v2 = await http("GET", `/api/2.0/mlflow/traces/${a}/info`);
  assert.equal(v2.status, 200);
  assert.equal(v2.json.trace_info.request_id, a);
  assert.equal(v2.json.trace_info.experiment_id, exp);
  assert.equal(v2.json.trace_info.status, "OK");
  assert.equal(v2.json.trace_info.execution_time_ms, 1537);
  assert.ok(Array.isArray(v2.json.trace_info.tags));
});

test("traces/get: allow_partial decides about a trace whose root has not arrived", async () => {
  const exp = await newExperiment("partial");
  const traceId = randomTraceId();
  const spans = makeSpans(3).slice(1); // children only
  const put = await http("PUT", artifactPath(exp, traceId), traceDoc(traceId, spans), { "content-type": "application/json" });
  assert.equal(put.status, 200, put.text);
  const strict = await http("GET", `/api/3.0/mlflow/traces/get?trace_id=${traceId}`);
  assert.equal(strict.status, 409, "a state, not a server fault: no 5xx that clients retry");
  assert.equal(strict.json.error_code, "RESOURCE_CONFLICT");
  assert.match(strict.json.message, /allow_partial/);
  const partial = await http("GET", `/api/3.0/mlflow/traces/get?trace_id=${traceId}&allow_partial=TRUE`);
  assert.equal(partial.status, 200);
  assert.equal(partial.json.trace.spans.length, 2);
  const badBool = await http("GET", `/api/3.0/mlflow/traces/get?trace_id=${traceId}&allow_partial=maybe`);
  assert.equal(badBool.status, 400);
  assert.match(badBool.json.message, /allow_partial/);
  // a trace whose info came without any span (StartTraceV3 only): 404 with MLflow's message, not a 500
  const infoOnly = randomTraceId();
  assert.equal((await http("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, infoOnly))).status, 200);
  const none = await http("GET", `/api/3.0/mlflow/traces/get?trace_id=${infoOnly}`);
  assert.equal(none.status, 404, none.text);
  assert.equal(none.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  assert.match(none.json.message, /Trace data not stored in tracking store/);
});

test("search v3 returns infos with assessments; v2 search returns v2 infos; literal routes are not trace ids", async () => {
  const exp = await newExperiment("search");
  const ids = [randomTraceId(), randomTraceId(), randomTraceId()];
  const now = Date.now();
  for (let i = 0; i < 3; i++) await sendTrace(exp, ids[i], makeSpans(2), { requestTimeMs: now - 1000 * (3 - i), state: i === 1 ? "ERROR" : "OK", metadata: { "mlflow.trace.session": "sess-x" } });
  const fb = await http("POST", `/api/3.0/mlflow/traces/${ids[1]}/assessments`, { assessment: { assessment_name: "ok", source: { source_type: "HUMAN", source_id: "me" }, feedback: { value: false } } });
  assert.equal(fb.status, 200, fb.text);

  const all = await http("POST", "/api/3.0/mlflow/traces/search", { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } }], max_results: 100 });
  assert.equal(all.status, 200, all.text);
  assert.deepEqual(all.json.traces.map((t: any) => t.trace_id), [...ids].reverse(), "newest first");
  assert.equal(all.json.next_page_token, undefined);
  assert.equal(all.json.traces[1].assessments.length, 1);
  assert.equal(all.json.traces[1].assessments[0].assessment_name, "ok");

  const errors = await http("POST", "/ajax-api/3.0/mlflow/traces/search", { locations: [{ mlflow_experiment: { experiment_id: exp } }], filter: "trace.status = 'ERROR'" });
  assert.deepEqual(errors.json.traces.map((t: any) => t.trace_id), [ids[1]]);

  const page1 = await http("POST", "/api/3.0/mlflow/traces/search", { locations: [{ mlflow_experiment: { experiment_id: exp } }], max_results: 2, order_by: ["timestamp_ms ASC"] });
  assert.deepEqual(page1.json.traces.map((t: any) => t.trace_id), ids.slice(0, 2));
  assert.ok(page1.json.next_page_token);
  const page2 = await http("POST", "/api/3.0/mlflow/traces/search", { locations: [{ mlflow_experiment: { experiment_id: exp } }], max_results: 2, order_by: ["timestamp_ms ASC"], page_token: page1.json.next_page_token });
  assert.deepEqual(page2.json.traces.map((t: any) => t.trace_id), ids.slice(2));

  const badFilter = await http("POST", "/api/3.0/mlflow/traces/search", { locations: [{ mlflow_experiment: { experiment_id: exp } }], filter: "trace.status === 'x'" });
  assert.equal(badFilter.status, 400);
  assert.equal(badFilter.json.error_code, "INVALID_PARAMETER_VALUE");
  const tooMany = await http("POST", "/api/3.0/mlflow/traces/search", { locations: [{ mlflow_experiment: { experiment_id: exp } }], max_results: 501 });
  assert.equal(tooMany.status, 400);
  const noLoc = await http("POST", "/api/3.0/mlflow/traces/search", {});
  assert.equal(noLoc.status, 400);
  assert.match(noLoc.json.message, /locations/);

  const v2 = await http("GET", `/api/2.0/mlflow/traces?experiment_ids=${exp}&max_results=10&filter=${encodeURIComponent("trace.status = 'OK'")}`);
  assert.equal(v2.status, 200, v2.text);
  assert.deepEqual(v2.json.traces.map((t: any) => t.request_id).sort(), [ids[0], ids[2]].sort());
  assert.equal(typeof v2.json.traces[0].timestamp_ms, "number");

  // /traces/search and friends are never read as a trace id
  for (const literal of ["search", "batchGet", "batchGetInfos", "get"]) {
    const r = await http("GET", `/api/3.0/mlflow/traces/${literal}`);
    assert.notEqual(r.json?.message, `Trace with ID '${literal}' not found.`, literal);
  }
});

test("trace tags: set/delete on v2 and v3 paths, body or query; the name column follows mlflow.traceName", async () => {
  const exp = await newExperiment("tags");
  const traceId = randomTraceId();
  await sendTrace(exp, traceId, makeSpans(1), { tags: { "mlflow.traceName": "agent" } });
  const set = await http("PATCH", `/api/2.0/mlflow/traces/${traceId}/tags`, { key: "env", value: "prod" });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual(set.json, {});
  assert.equal((await http("PATCH", `/api/3.0/mlflow/traces/${traceId}/tags`, { key: "mlflow.traceName", value: "renamed" })).status, 200);
  let row = (await testDb().query(`SELECT name, tags FROM traces WHERE trace_id = $1`, [traceId])).rows[0];
  assert.equal(row.name, "renamed");
  assert.equal(row.tags.env, "prod");
  assert.equal(row.tags["mlflow.traceName"], "renamed");

  assert.equal((await http("DELETE", `/api/2.0/mlflow/traces/${traceId}/tags`, { key: "env" })).status, 200);
  assert.equal((await http("DELETE", `/api/3.0/mlflow/traces/${traceId}/tags?key=mlflow.traceName`)).status, 200);
  row = (await testDb().query(`SELECT name, tags FROM traces WHERE trace_id = $1`, [traceId])).rows[0];
  assert.equal(row.name, null);
  assert.equal(row.tags.env, undefined);
  const again = await http("DELETE", `/api/2.0/mlflow/traces/${traceId}/tags`, { key: "env" });
  assert.equal(again.status, 404);
  assert.equal(again.json.message, `No trace tag with key 'env' for trace with ID '${traceId}'`);
  const noTrace = await http("PATCH", `/api/2.0/mlflow/traces/${randomTraceId()}/tags`, { key: "a", value: "b" });
  assert.equal(noTrace.status, 404);
  const noKey = await http("PATCH", `/api/2.0/mlflow/traces/${traceId}/tags`, { value: "b" });
  assert.equal(noKey.status, 400);
  assert.equal(noKey.json.message, "Missing value for required parameter 'key'. See the API docs for more information about request parameters.");
  // MLflow's trace tag value column is VARCHAR(8000)
  const tooLong = await http("PATCH", `/api/2.0/mlflow/traces/${traceId}/tags`, { key: "big", value: "x".repeat(8001) });
  assert.equal(tooLong.status, 400);
});

test("delete-traces: by ids or by age (oldest first, max_traces), with spans, assessments and links", async () => {
  const exp = await newExperiment("delete");
  const base = 1_700_000_000_000;
  const ids = Array.from({ length: 5 }, () => randomTraceId());
  for (let i = 0; i < 5; i++) await sendTrace(exp, ids[i], makeSpans(2, base + i * 1000), { requestTimeMs: base + i * 1000 });
  await http("POST", `/api/3.0/mlflow/traces/${ids[0]}/assessments`, { assessment: { assessment_name: "x", source: { source_type: "CODE" }, feedback: { value: 1 } } });
  assert.equal((await http("POST", "/api/2.0/mlflow/traces/link-to-run", { trace_ids: [ids[0]], run_id: "run-1" })).status, 200);

  for (const [body, msg] of [
    [{ experiment_id: exp }, /Exactly one/],
    [{ experiment_id: exp, request_ids: [ids[0]], max_timestamp_millis: base }, /Exactly one/],
    [{ experiment_id: exp, request_ids: [ids[0]], max_traces: 1 }, /max_traces/],
    [{ experiment_id: exp, max_timestamp_millis: base, max_traces: 0 }, /max_traces/],
  ] as const) {
    const r = await http("POST", "/api/2.0/mlflow/traces/delete-traces", body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.json.message, msg);
  }

  const byAge = await http("POST", "/api/2.0/mlflow/traces/delete-traces", { experiment_id: exp, max_timestamp_millis: String(base + 3000), max_traces: 2 });
  assert.equal(byAge.status, 200, byAge.text);
  assert.deepEqual(byAge.json, { traces_deleted: 2 });
  const left = await testDb().query(`SELECT trace_id FROM traces WHERE experiment_id = $1 ORDER BY request_time`, [exp]);
  assert.deepEqual(left.rows.map((r) => r.trace_id), ids.slice(2));
  const orphans = await testDb().query(
    `SELECT (SELECT count(*)::int FROM spans WHERE trace_id = ANY($1)) AS spans, (SELECT count(*)::int FROM assessments WHERE trace_id = ANY($1)) AS a,
            (SELECT count(*)::int FROM trace_run_links WHERE trace_id = ANY($1)) AS l`,
    [ids.slice(0, 2)],
  );
  assert.deepEqual(orphans.rows[0], { spans: 0, a: 0, l: 0 });

  const byIds = await http("POST", "/api/3.0/mlflow/traces/delete-traces", { experiment_id: exp, request_ids: [ids[2], ids[3], randomTraceId()] });
  assert.deepEqual(byIds.json, { traces_deleted: 2 });
  const otherExp = await http("POST", "/api/2.0/mlflow/traces/delete-traces", { experiment_id: "0", request_ids: [ids[4]] });
  assert.deepEqual(otherExp.json, { traces_deleted: 0 }, "ids of another experiment are not deleted");
  assert.equal((await testDb().query(`SELECT count(*)::int AS n FROM spans WHERE trace_id = $1`, [ids[4]])).rows[0].n, 2);
});

test("link-to-run (≤ 100 ids) and link-prompts", async () => {
  const exp = await newExperiment("links");
  const t = randomTraceId();
  await sendTrace(exp, t, makeSpans(1));
  const tooMany = await http("POST", "/api/2.0/mlflow/traces/link-to-run", { trace_ids: Array.from({ length: 101 }, () => randomTraceId()), run_id: "r" });
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.json.error_code, "INVALID_PARAMETER_VALUE");
  assert.equal((await http("POST", "/api/2.0/mlflow/traces/link-to-run", { trace_ids: [t], run_id: "run-9" })).status, 200);
  assert.equal((await http("POST", "/api/2.0/mlflow/traces/link-to-run", { trace_ids: [t], run_id: "run-9" })).status, 200, "idempotent");
  const links = await testDb().query(`SELECT run_id FROM trace_run_links WHERE trace_id = $1`, [t]);
  assert.deepEqual(links.rows, [{ run_id: "run-9" }]);

  assert.equal((await http("POST", "/api/2.0/mlflow/traces/link-prompts", { trace_id: t, prompt_versions: [{ name: "qa", version: "4" }] })).status, 200);
  assert.equal((await http("POST", "/api/2.0/mlflow/traces/link-prompts", { trace_id: t, prompt_versions: [{ name: "qa", version: 4 }, { name: "sum", version: "1" }] })).status, 200);
  const info = await http("GET", `/api/3.0/mlflow/traces/${t}`);
  assert.deepEqual(JSON.parse(info.json.trace.trace_info.tags["mlflow.linkedPrompts"]), [{ name: "qa", version: "4" }, { name: "sum", version: "1" }]);
  const missing = await http("POST", "/api/2.0/mlflow/traces/link-prompts", { trace_id: randomTraceId(), prompt_versions: [] });
  assert.equal(missing.status, 404);
});

test("assessments: create, get, update with masks, overrides and delete", async () => {
  const exp = await newExperiment("assess");
  const t = randomTraceId();
  const spans = makeSpans(2);
  await sendTrace(exp, t, spans);
  const base = `/api/3.0/mlflow/traces/${t}/assessments`;
  const created = await http("POST", base, {
    assessment: {
      assessment_name: "correctness",
      trace_id: "tr-ignored",
      span_id: spans[1].spanId,
      source: { source_type: "LLM_JUDGE", source_id: "openai:/gpt-4o-mini" },
      feedback: { value: "yes" },
      rationale: "matches",
      metadata: { "mlflow.assessment.sourceRunId": "r1" },
    },
  });
  assert.equal(created.status, 200, created.text);
  const a = created.json.assessment;
  assert.match(a.assessment_id, /^a-[0-9a-f]{32}$/);
  assert.equal(a.trace_id, t, "the path wins");
  assert.equal(a.span_id, spans[1].spanId);
  assert.deepEqual(a.feedback, { value: "yes" });
  assert.equal(a.valid, true);
  assert.match(a.create_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const got = await http("GET", `${base}/${a.assessment_id}`);
  assert.deepEqual(got.json.assessment, a);

  const upd = await http("PATCH", `${base}/${a.assessment_id}`, {
    assessment: { assessment_id: a.assessment_id, trace_id: t, feedback: { value: "no" }, rationale: "changed", metadata: { extra: "1" }, source: { source_type: "HUMAN", source_id: "x" } },
    update_mask: "feedback,rationale,metadata",
  });
  assert.equal(upd.status, 200, upd.text);
  assert.deepEqual(upd.json.assessment.feedback, { value: "no" });
  assert.equal(upd.json.assessment.rationale, "changed");
  assert.deepEqual(upd.json.assessment.metadata, { "mlflow.assessment.sourceRunId": "r1", extra: "1" });
  assert.deepEqual(upd.json.assessment.source, a.source, "source is immutable");
  const renamed = await http("PATCH", `${base}/${a.assessment_id}`, { assessment: { assessment_name: "accuracy" }, update_mask: { paths: ["assessment_name"] } });
  assert.equal(renamed.json.assessment.assessment_name, "accuracy");
  const camel = await http("PATCH", `${base}/${a.assessment_id}`, { assessment: { assessment_name: "acc2" }, update_mask: "assessmentName" });
  assert.equal(camel.json.assessment.assessment_name, "acc2");
  const wrongKind = await http("PATCH", `${base}/${a.assessment_id}`, { assessment: { expectation: { value: 1 } }, update_mask: "expectation" });
  assert.equal(wrongKind.status, 400);
  const both = await http("POST", base, { assessment: { assessment_name: "x", feedback: { value: 1 }, expectation: { value: 1 } } });
  assert.equal(both.status, 400);
  const noName = await http("POST", base, { assessment: { feedback: { value: 1 } } });
  assert.equal(noName.status, 400);
  assert.match(noName.json.message, /assessment_name/);

  // a human override invalidates the original; deleting the override restores it
  const over = await http("POST", base, { assessment: { assessment_name: "acc2", source: { source_type: "HUMAN", source_id: "bob" }, feedback: { value: "yes" }, overrides: a.assessment_id } });
  assert.equal(over.status, 200, over.text);
  assert.equal(over.json.assessment.overrides, a.assessment_id);
  assert.equal((await http("GET", `${base}/${a.assessment_id}`)).json.assessment.valid, false);
  const overMissing = await http("POST", base, { assessment: { assessment_name: "z", feedback: { value: 1 }, overrides: "a-missing" } });
  assert.equal(overMissing.status, 404);
  assert.equal((await http("DELETE", `${base}/${over.json.assessment.assessment_id}`)).status, 200);
  assert.equal((await http("GET", `${base}/${a.assessment_id}`)).json.assessment.valid, true);
  assert.equal((await http("DELETE", `${base}/${over.json.assessment.assessment_id}`)).status, 200, "delete is idempotent");

  // expectations, errors, and lossless values
  const exp1 = await httpLossless("POST", base, { assessment: { assessment_name: "expected", source: { source_type: "HUMAN" }, expectation: { value: { answer: 42, big: 12345678901234567890n } } } });
  assert.equal(exp1.status, 200, exp1.text);
  assert.equal(exp1.json.assessment.expectation.value.big, 12345678901234567890n);
  const err = await http("POST", base, { assessment: { assessment_name: "judge", source: { source_type: "LLM_JUDGE" }, feedback: { error: { error_code: "TIMEOUT", error_message: "judge timed out" } } } });
  assert.equal(err.status, 200, err.text);
  assert.deepEqual(err.json.assessment.feedback.error, { error_code: "TIMEOUT", error_message: "judge timed out" });

  const info = await http("GET", `/api/3.0/mlflow/traces/${t}`);
  assert.equal(info.json.trace.trace_info.assessments.length, 3);
  const noTrace = await http("POST", `/api/3.0/mlflow/traces/${randomTraceId()}/assessments`, { assessment: { assessment_name: "x", feedback: { value: 1 } } });
  assert.equal(noTrace.status, 404);
  const noAssessment = await http("GET", `${base}/a-nope`);
  assert.equal(noAssessment.status, 404);
  assert.equal(noAssessment.json.message, `Assessment with ID 'a-nope' not found for trace '${t}'`);
});

test("legacy v2 StartTrace / EndTrace", async () => {
  const exp = await newExperiment("v2");
  const start = await http("POST", "/api/2.0/mlflow/traces", {
    experiment_id: exp,
    timestamp_ms: 1718460461282,
    request_metadata: [{ key: "mlflow.traceInputs", value: "q" }],
    tags: [{ key: "mlflow.traceName", value: "legacy" }],
  });
  assert.equal(start.status, 200, start.text);
  const ti = start.json.trace_info;
  assert.match(ti.request_id, /^[0-9a-f]{32}$/);
  assert.equal(ti.status, "IN_PROGRESS");
  assert.equal(ti.timestamp_ms, 1718460461282);
  assert.ok(ti.tags.some((t: any) => t.key === "mlflow.artifactLocation" && t.value === `mlflow-artifacts:/${exp}/traces/${ti.request_id}/artifacts`));
  const end = await http("PATCH", `/api/2.0/mlflow/traces/${ti.request_id}`, { timestamp_ms: 1718460462819, status: "OK", request_metadata: [{ key: "mlflow.traceOutputs", value: "a" }], tags: [] });
  assert.equal(end.status, 200, end.text);
  assert.equal(end.json.trace_info.status, "OK");
  assert.equal(end.json.trace_info.execution_time_ms, 1537);
  const md = Object.fromEntries(end.json.trace_info.request_metadata.map((kv: any) => [kv.key, kv.value]));
  assert.equal(md["mlflow.traceInputs"], "q");
  assert.equal(md["mlflow.traceOutputs"], "a");
});

test("artifact proxy: other files are stored, listed, served and deleted; path escapes are refused", async () => {
  const exp = await newExperiment("artifacts");
  const p = `/api/2.0/mlflow-artifacts/artifacts/${exp}/run-1/model/weights.bin`;
  const put = await fetch(process.env.FLOWTRACE_URL + p, { method: "PUT", body: new Uint8Array([0, 1, 2, 255]), headers: { "content-type": "application/octet-stream" } });
  assert.equal(put.status, 200);
  const got = await fetch(process.env.FLOWTRACE_URL + p);
  assert.equal(got.status, 200);
  assert.deepEqual([...new Uint8Array(await got.arrayBuffer())], [0, 1, 2, 255]);
  const list = await http("GET", `/api/2.0/mlflow-artifacts/artifacts?path=${exp}/run-1`);
  assert.deepEqual(list.json, { files: [{ path: `${exp}/run-1/model`, is_dir: true }] });
  const list2 = await http("GET", `/api/2.0/mlflow-artifacts/artifacts?path=${exp}/run-1/model`);
  assert.deepEqual(list2.json, { files: [{ path: `${exp}/run-1/model/weights.bin`, is_dir: false, file_size: 4 }] });
  assert.equal((await http("DELETE", p)).status, 200);
  assert.equal((await http("GET", p)).status, 404);

  // Sent raw (fetch would resolve the dot segments before sending). The server resolves dot segments of
  // the URL before routing, so an escape either leaves the artifact routes (404) or lands inside the
  // tree; whatever reaches the handler with a dot segment left is refused (400).
  // other test files share this database and may store odd paths of their own: compare with what was there
  const before = new Set((await testDb().query<{ path: string }>(`SELECT path FROM artifacts`)).rows.map((r) => r.path));
  for (const bad of [`${exp}/../../etc/passwd`, `${exp}/%2E%2E/%2E%2E/etc/passwd`, `${exp}/a/%2e%2e/b`, `${exp}/..%2Fsecret`, `${exp}/a/./b`, `${exp}/a/..%5C..%5Cx`]) {
    const r = await rawRequest("PUT", `/api/2.0/mlflow-artifacts/artifacts/${bad}`, "x");
    assert.ok([200, 400, 404].includes(r.status), `${bad}: ${r.status} ${r.body}`);
    if (r.status !== 200) assert.ok(["INVALID_PARAMETER_VALUE", "ENDPOINT_NOT_FOUND"].includes(JSON.parse(r.body).error_code), bad);
  }
  const stored = await testDb().query<{ path: string }>(`SELECT path FROM artifacts WHERE path LIKE '%..%' OR path LIKE '%/./%' OR path ILIKE '%\\%' OR path ILIKE '%\%2e%' OR path NOT LIKE '%/%' OR path LIKE 'etc/%'`);
  assert.deepEqual(stored.rows.filter((r) => !before.has(r.path)), [], "nothing was written outside the artifact tree");
  const added = (await testDb().query<{ path: string }>(`SELECT path FROM artifacts`)).rows.map((r) => r.path).filter((p) => !before.has(p));
  assert.deepEqual(added.filter((p) => !p.startsWith(`${exp}/`)), [], "every file the escapes stored is inside the experiment's folder");
  const esc = await testDb().query(`SELECT count(*)::int AS n FROM artifacts WHERE path LIKE $1`, [`${exp}/%`]);
  assert.ok(esc.rows[0].n <= 3);
  const escapeList = await http("GET", `/api/2.0/mlflow-artifacts/artifacts?path=../x`);
  assert.equal(escapeList.status, 400);

  // traces.json is listed for a trace with spans
  const t = randomTraceId();
  await sendTrace(exp, t, makeSpans(2));
  const tl = await http("GET", `/api/2.0/mlflow-artifacts/artifacts?path=${exp}/traces/${t}/artifacts`);
  assert.equal(tl.json.files[0].path, `${exp}/traces/${t}/artifacts/traces.json`);
  const missing = await http("GET", artifactPath(exp, randomTraceId()));
  assert.equal(missing.status, 404);
});

test("traces.json: the trace's own experiment wins over the upload path, whatever that path names", async () => {
  const home = await newExperiment("tj-home");
  const other = await newExperiment("tj-other");
  const gone = await newExperiment("tj-gone");
  assert.equal((await httpLossless("POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: gone })).status, 200);
  const spansIn = async (traceId: string) =>
    (await testDb().query(`SELECT experiment_id::text AS e, count(*)::int AS n FROM spans WHERE trace_id = $1 GROUP BY 1`, [traceId])).rows;
  for (const [label, pathExp] of [["another active experiment", other], ["a deleted experiment", gone], ["no experiment", "987654321"]] as const) {
    const traceId = randomTraceId();
    assert.equal((await httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(home, traceId))).status, 200);
    const put = await httpLossless("PUT", artifactPath(pathExp, traceId), traceDoc(traceId, makeSpans(2)));
    assert.equal(put.status, 200, `${label}: ${put.text}`);
    assert.deepEqual(await spansIn(traceId), [{ e: home, n: 2 }], label);
    const t = (await testDb().query(`SELECT experiment_id::text AS e, span_count FROM traces WHERE trace_id = $1`, [traceId])).rows[0];
    assert.deepEqual(t, { e: home, span_count: 2 }, label);
  }
  // a trace nobody started: filed under the path's experiment, and refused when that is not there
  const fresh = randomTraceId();
  assert.equal((await httpLossless("PUT", artifactPath(other, fresh), traceDoc(fresh, makeSpans(1)))).status, 200);
  assert.deepEqual(await spansIn(fresh), [{ e: other, n: 1 }]);
  const orphan = randomTraceId();
  const missing = await httpLossless("PUT", artifactPath("987654321", orphan), traceDoc(orphan, makeSpans(1)));
  assert.equal(missing.status, 404, missing.text);
  assert.equal(missing.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  const deleted = await httpLossless("PUT", artifactPath(gone, orphan), traceDoc(orphan, makeSpans(1)));
  assert.equal(deleted.status, 400, deleted.text);
  assert.deepEqual(await spansIn(orphan), []);
});

test("traces.json after StartTraceV3: span, error, token and cost figures are exact, and the same when the upload is sent again", async () => {
  const exp = await newExperiment("tj-figures");
  const traceId = randomTraceId();
  assert.equal((await httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, traceId))).status, 200);
  const spans = makeSpans(4);
  const doc = parseJson(traceDoc(traceId, spans)) as { spans: { attributes: Record<string, unknown>; status?: unknown }[] };
  // two LLM spans with token usage and cost (fractional tokens and costs: exact decimal sums), one failing tool
  doc.spans[1].attributes["mlflow.chat.tokenUsage"] = { input_tokens: 120.5, output_tokens: 40, total_tokens: 160.5 };
  doc.spans[1].attributes["mlflow.llm.cost"] = { input_cost: 0.1, output_cost: 0.2, total_cost: 0.3 };
  doc.spans[3].attributes["mlflow.chat.tokenUsage"] = { input_tokens: 7, output_tokens: 3, total_tokens: 10 };
  doc.spans[3].attributes["mlflow.llm.cost"] = { input_cost: 0.2, output_cost: 0.1, total_cost: 0.3 };
  doc.spans[2].status = { code: "STATUS_CODE_ERROR", message: "tool failed" };
  const body = stringifyJson(doc);
  const figures = async () =>
    (await testDb().query(
      `SELECT span_count, error_count, input_tokens::text, output_tokens::text, total_tokens::text, cost, trace_metadata->>'mlflow.trace.tokenUsage' AS usage,
              trace_metadata->>'mlflow.trace.cost' AS cost_meta FROM traces WHERE trace_id = $1`,
      [traceId],
    )).rows[0];
  const put = async () => assert.equal((await httpLossless("PUT", artifactPath(exp, traceId), body)).status, 200);
  await put();
  const first = await figures();
  assert.deepEqual(
    { ...first, cost: Number(first.cost.toFixed(10)) },
    { span_count: 4, error_count: 1, input_tokens: "128", output_tokens: "43", total_tokens: "171", cost: 0.6, usage: '{"input_tokens": 128, "output_tokens": 43, "total_tokens": 171}', cost_meta: first.cost_meta },
  );
  assert.match(first.cost_meta, /"total_cost": 0\.6\b/);
  await put(); // the same upload again: replaced, not added
  assert.deepEqual(await figures(), first);
});

test("StartTraceV3 requests written together: each gets its own answer, a bad one fails alone, repeats of one trace merge", async () => {
  const exp = await newExperiment("start-batch");
  const gone = await newExperiment("start-batch-gone");
  assert.equal((await httpLossless("POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: gone })).status, 200);
  const ids = Array.from({ length: 40 }, () => randomTraceId());
  const twice = ids[0];
  const sends = [
    ...ids.map((id, i) => httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, id, { requestTimeMs: 1718460461000 + i, metadata: { "mlflow.trace.session": `batch-s-${i % 3}`, "mlflow.trace.user": "batch-u" }, tags: { n: String(i) } }))),
    // the same trace again, in the same moment: merged (the later tags win, both kept)
    httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, twice, { requestTimeMs: 1718460461000, metadata: { "mlflow.trace.session": "batch-s-0", "mlflow.trace.user": "batch-u" }, tags: { again: "yes" } })),
    httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody("987654321", randomTraceId())),
    httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(gone, randomTraceId())),
    // a NUL character, which PostgreSQL text cannot hold: dropped from the preview
    httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, randomTraceId(), { requestPreview: "nul \u0000 preview" })),
    // a trace id with one: refused, and only that request
    httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(exp, "tr-bad\u0000id")),
  ];
  const answers = await Promise.all(sends);
  for (let i = 0; i < ids.length; i++) {
    assert.equal(answers[i].status, 200, answers[i].text);
    const ti = answers[i].json.trace.trace_info;
    assert.equal(ti.trace_id, ids[i]);
    if (ids[i] !== twice) assert.equal(ti.tags.n, String(i));
    assert.equal(ti.tags["mlflow.artifactLocation"], `mlflow-artifacts:/${exp}/traces/${ids[i]}/artifacts`);
  }
  assert.equal(answers[ids.length].status, 200);
  const missing = answers[ids.length + 1];
  assert.equal(missing.status, 404, missing.text);
  assert.equal(missing.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  assert.equal(answers[ids.length + 2].status, 400, answers[ids.length + 2].text);
  const nul = answers[ids.length + 3];
  assert.equal(nul.status, 200, nul.text);
  assert.equal(nul.json.trace.trace_info.request_preview, "nul  preview");
  const badId = answers[ids.length + 4];
  assert.equal(badId.status, 400, badId.text);
  assert.equal(badId.json.error_code, "INVALID_PARAMETER_VALUE");
  const stored = await testDb().query(`SELECT trace_id, tags FROM traces WHERE trace_id = ANY($1)`, [ids]);
  assert.equal(stored.rowCount, ids.length);
  const t0 = stored.rows.find((r) => r.trace_id === twice)!;
  assert.equal(t0.tags.n, "0");
  assert.equal(t0.tags.again, "yes");
  // the session summaries count each trace once
  const { rows } = await testDb().query(`SELECT sum(turns)::int AS n FROM trace_sessions WHERE experiment_id = $1`, [exp]);
  assert.equal(rows[0].n, ids.length);
});
