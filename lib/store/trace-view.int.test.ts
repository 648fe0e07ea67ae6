import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { normalizeSkeleton } from "../../components/traces/skeleton";
import { ApiError } from "../errors";
import { closeDb, getPool } from "../db";
import { TRACE_COLUMNS } from "../search/fields";
import { uniqueName } from "../testing/http";
import {
  countTracesForUi,
  getExperimentHeader,
  getExperimentSummary,
  getNeighborTraceIds,
  getSpanPayload,
  getSpanSkeletonJson,
  getTraceHeader,
  latestTraceUpdate,
  listExperimentSummaries,
  listTracesForUi,
  searchSpansInTrace,
  tracesChangedSince,
  type RawSpanSkeleton,
} from "./trace-view";

let exp: string;
let empty: string;
const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const ids: string[] = [];
const newId = () => `tr-${randomBytes(16).toString("hex")}`;

async function createExperiment(name: string): Promise<string> {
  const { rows } = await getPool().query(
    `INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES ($1, 'mlflow-artifacts:/x', 'active', $2, $2) RETURNING experiment_id`,
    [name, T0],
  );
  return String(rows[0].experiment_id);
}

before(async () => {
  const pool = getPool();
  exp = await createExperiment(uniqueName("trace-view"));
  empty = await createExperiment(uniqueName("trace-view-empty"));
  for (let i = 0; i < 5; i++) {
    const id = newId();
    ids.push(id);
    await pool.query(
      `INSERT INTO traces (trace_id, experiment_id, request_time, execution_duration, state, name, session_id, user_id, total_tokens, span_count, trace_metadata, tags, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'chat', $6, 'u-1', $7, 3, '{}', $8, $9)`,
      [id, exp, T0 + i * 1000, 100 * (i + 1), i === 3 ? "ERROR" : "OK", `s-${i % 2}`, 10 * i, JSON.stringify({ team: i % 2 ? "a" : "b" }), T0 + i * 1000],
    );
  }
  // spans of the newest trace: root, two children (one failing, with a big input), inserted out of order
  const t = ids[4];
  const ns = (ms: number) => (BigInt(T0 + 4000) * 1_000_000n + BigInt(Math.round(ms * 1e6))).toString();
  const big = JSON.stringify({ text: "x".repeat(50_000) });
  await pool.query(
    `INSERT INTO spans (trace_id, span_id, parent_span_id, experiment_id, name, span_type, start_time_ns, end_time_ns, status_code, status_message, attributes, inputs, outputs, events) VALUES
      ($1, '00000000000000c2', '00000000000000a0', $2, 'search_tool', 'TOOL', $3, $4, 'ERROR', 'boom', '{"k": 1}', $7, NULL, $8),
      ($1, '00000000000000a0', NULL, $2, 'agent', 'AGENT', $5, $6, 'OK', NULL, '{}', '{"question": "needle in the haystack"}', '"done"', '[]'),
      ($1, '00000000000000b1', '00000000000000a0', $2, 'llm', 'LLM', $9, $10, 'OK', NULL, '{}', '{"messages": []}', NULL, '[]')`,
    [t, exp, ns(5), ns(9), ns(0), ns(20), big, JSON.stringify([{ name: "exception", time_unix_nano: ns(8), attributes: { "exception.message": "boom" } }]), ns(1), ns(4)],
  );
  await pool.query(
    `INSERT INTO assessments (assessment_id, trace_id, name, kind, value, source_type, source_id, create_time, last_update_time) VALUES ($1, $2, 'helpful', 'feedback', 'true', 'HUMAN', 'me', $3, $3)`,
    [`a-${randomBytes(16).toString("hex")}`, t, T0],
  );
});

after(async () => {
  await closeDb();
});

test("experiment summaries carry exact trace counts and the last trace time; search by name", async () => {
  const s = await getExperimentSummary(exp);
  assert.equal(s?.traceCount, 5);
  assert.equal(s?.lastTraceTime, T0 + 4000);
  const e = await getExperimentSummary(empty);
  assert.equal(e?.traceCount, 0);
  assert.equal(e?.lastTraceTime, null);
  const found = await listExperimentSummaries({ q: "trace-view-empty", sort: "name", dir: "asc" });
  assert.ok(found.some((x) => x.id === empty));
  assert.ok(!found.some((x) => x.id === exp));
  assert.equal(await getExperimentSummary("not-a-number"), null);
  assert.equal((await getExperimentHeader(exp))?.hasTraces, true);
  assert.equal((await getExperimentHeader(empty))?.hasTraces, false);
});

test("the table page: order, time range and an exact count, through lib/search", async () => {
  const page = await listTracesForUi({ experimentId: exp, size: 2 });
  assert.deepEqual(page.rows.map((r) => r.traceId), [ids[4], ids[3]]);
  assert.ok(page.nextPageToken);
  const next = await listTracesForUi({ experimentId: exp, size: 2, pageToken: page.nextPageToken! });
  assert.deepEqual(next.rows.map((r) => r.traceId), [ids[2], ids[1]]);
  const byDuration = await listTracesForUi({ experimentId: exp, order: "execution_time_ms ASC", size: 5 });
  assert.deepEqual(byDuration.rows.map((r) => r.executionDuration), [100, 200, 300, 400, 500]);
  assert.equal(await countTracesForUi({ experimentId: exp, filter: "trace.status = 'ERROR'" }), 1);
  // "last 15 minutes" seen from 15 min after T0 + 3 s: traces 3 and 4
  assert.equal(await countTracesForUi({ experimentId: exp, range: "15m", now: T0 + 3000 + 15 * 60_000 }), 2);
  assert.equal((await listTracesForUi({ experimentId: exp, range: "15m", now: T0 + 3000 + 15 * 60_000 })).rows.length, 2);
});

test("a table row carries every registry column under its listKey, numbers as numbers", async () => {
  const [row] = (await listTracesForUi({ experimentId: exp, size: 1 })).rows;
  const r = row as unknown as Record<string, unknown>;
  for (const c of TRACE_COLUMNS) assert.ok(c.listKey in r, c.listKey);
  assert.equal(typeof r.requestTime, "number");
  assert.equal(typeof r.spanCount, "number");
  assert.equal(r.traceId, ids[4]);
});

test("a filter error points into the user's text even with a time range added", async () => {
  await assert.rejects(
    () => listTracesForUi({ experimentId: exp, filter: "trace.status = 'OK' AN", range: "1h" }),
    (err: unknown) => err instanceof ApiError && err.code === "INVALID_PARAMETER_VALUE" && /column 21/.test(err.message) && !/column 1\b/.test(err.message),
  );
});

test("the span skeleton: one JSON value, normalized in start order with parent indexes", async () => {
  const raw = JSON.parse(await getSpanSkeletonJson(ids[4])) as RawSpanSkeleton;
  assert.equal(raw.ids.length, 3);
  const sk = normalizeSkeleton(raw);
  assert.deepEqual(sk.ids, ["00000000000000a0", "00000000000000b1", "00000000000000c2"]);
  assert.deepEqual(sk.parents, [-1, 0, 0]);
  assert.deepEqual(sk.starts, [0, 1, 5]);
  assert.deepEqual(sk.ends, [20, 4, 9]);
  assert.deepEqual(sk.status, ["OK", "OK", "ERROR"]);
  const none = JSON.parse(await getSpanSkeletonJson("tr-missing")) as RawSpanSkeleton;
  assert.deepEqual(none.ids, []);
});

test("a span's payload on demand, cut at the limit with the full size reported", async () => {
  const p = await getSpanPayload(ids[4], "00000000000000c2", 1000);
  assert.equal(p.statusCode, "ERROR");
  assert.equal(p.inputs?.length, 1000);
  assert.equal(p.inputsSize, JSON.stringify({ text: "x".repeat(50_000) }).length);
  assert.equal(p.outputs, null);
  assert.equal(p.events[0].name, "exception");
  const full = await getSpanPayload(ids[4], "00000000000000c2");
  assert.equal(full.inputs?.length, full.inputsSize);
  await assert.rejects(() => getSpanPayload(ids[4], "ffffffffffffffff"), (e: unknown) => e instanceof ApiError && e.status === 404);
});

test("search inside a trace matches names and content", async () => {
  assert.deepEqual(await searchSpansInTrace(ids[4], "needle"), ["00000000000000a0"]);
  assert.deepEqual(await searchSpansInTrace(ids[4], "LLM"), ["00000000000000b1"]);
  assert.deepEqual(await searchSpansInTrace(ids[4], "100%"), []);
});

test("trace header with assessments; neighbors; the live-update probe", async () => {
  const h = await getTraceHeader(ids[4]);
  assert.equal(h?.experimentId, exp);
  assert.equal(h?.assessments.length, 1);
  assert.equal(h?.assessments[0].value, true);
  assert.equal(await getTraceHeader("tr-missing"), null);
  assert.deepEqual(await getNeighborTraceIds(exp, ids[2], T0 + 2000), { newer: ids[3], older: ids[1] });
  const latest = await latestTraceUpdate(exp);
  assert.equal(latest, T0 + 4000);
  assert.deepEqual(await tracesChangedSince(exp, latest), { changed: 0, latest: null });
  await getPool().query(`UPDATE traces SET updated_at = $2 WHERE trace_id = $1`, [ids[0], T0 + 9000]);
  assert.deepEqual(await tracesChangedSince(exp, latest), { changed: 1, latest: T0 + 9000 });
});
