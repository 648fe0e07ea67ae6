// QueryTraceMetrics over HTTP against a brute-force computation: a seeded set of traces, spans and
// assessments goes straight into the tables, and every metric × aggregation × dimension set × bucketing
// the engine offers is checked against the same numbers computed here in TypeScript over the same rows.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { http, uniqueName } from "../testing/http";

// (only lib/testing/http is shared: the MLflow helpers are moving between folders on main)
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
const testDb = () => pool;
after(() => pool.end());
const randomTraceId = () => "tr-" + randomBytes(16).toString("hex");

async function newExperiment(prefix: string): Promise<string> {
  const r = await http("POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName(prefix) });
  assert.equal(r.status, 200, r.text);
  return (r.json as { experiment_id: string }).experiment_id;
}

const PATH = "/api/3.0/mlflow/traces/metrics";
const BASE = Date.UTC(2026, 0, 1, 0, 0, 0);
const HOUR = 3_600_000;

/** A small deterministic PRNG (mulberry32) so that a failure reproduces. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Dims = Record<string, string | null>;
/** One row of a view as the brute force sees it: its time, metric values and dimension values. */
interface ViewRow {
  time: number;
  traceId: string;
  values: Record<string, number | null>;
  dims: Dims;
}

const rows: Record<"TRACES" | "SPANS" | "ASSESSMENTS", ViewRow[]> = { TRACES: [], SPANS: [], ASSESSMENTS: [] };
const traceState = new Map<string, string>();
const traceTags = new Map<string, Record<string, string>>();
let exp1 = "";
let exp2 = "";
let other = "";

before(async () => {
  [exp1, exp2, other] = [await newExperiment("metrics-a"), await newExperiment("metrics-b"), await newExperiment("metrics-other")];
  const rand = rng(42);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const db = testDb();
  for (let i = 0; i < 60; i++) {
    const experimentId = i % 10 === 9 ? other : i % 2 ? exp1 : exp2;
    const traceId = randomTraceId();
    const time = BASE + Math.floor(rand() * 5 * HOUR);
    const duration = rand() < 0.1 ? null : Math.floor(rand() * 5000);
    const state = pick(["OK", "OK", "ERROR", "IN_PROGRESS"]);
    const name = rand() < 0.15 ? null : pick(["chat", "search", "plan"]);
    const model = rand() < 0.2 ? null : pick(["gpt-4o", "claude"]);
    const hasTokens = rand() < 0.8;
    const input = hasTokens ? Math.floor(rand() * 1000) : null;
    const output = hasTokens ? Math.floor(rand() * 500) : null;
    const total = hasTokens ? input! + output! : null;
    const cost = hasTokens ? Math.round(rand() * 1e6) / 1e8 : null;
    const tags = { env: pick(["prod", "dev"]) };
    const session = rand() < 0.3 ? null : pick(["s1", "s2", "s3", "s4"]);
    await db.query(
      `INSERT INTO traces (trace_id, experiment_id, request_time, execution_duration, state, name, model, input_tokens, output_tokens,
         total_tokens, cost, tags, session_id, updated_at, info_finalized)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $3, true)`,
      [traceId, experimentId, time, duration, state, name, model, input, output, total, cost, JSON.stringify(tags), session],
    );
    if (experimentId === other) continue; // a neighbour's traces: never counted
    traceState.set(traceId, state);
    traceTags.set(traceId, tags);
    rows.TRACES.push({
      time,
      traceId,
      values: { trace_count: 1, session_count: null, latency: duration, input_tokens: input, output_tokens: output, total_tokens: total, cost },
      dims: { trace_name: name, trace_status: state, model, session },
    });
    const spanCount = Math.floor(rand() * 4);
    for (let s = 0; s < spanCount; s++) {
      const startNs = BigInt(time + Math.floor(rand() * 2 * HOUR)) * 1_000_000n + BigInt(Math.floor(rand() * 1e6));
      const endNs = rand() < 0.1 ? null : startNs + BigInt(Math.floor(rand() * 3e9));
      const spanName = pick(["llm", "retrieve", "tool"]);
      const spanType = rand() < 0.1 ? null : pick(["LLM", "RETRIEVER", "TOOL"]);
      const status = pick(["OK", "ERROR", "UNSET"]);
      const spanId = `s${s}`;
      await db.query(
        `INSERT INTO spans (trace_id, span_id, experiment_id, name, span_type, start_time_ns, end_time_ns, status_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [traceId, spanId, experimentId, spanName, spanType, startNs.toString(), endNs?.toString() ?? null, status],
      );
      rows.SPANS.push({
        time: Math.floor(Number(startNs / 1_000_000n)),
        traceId,
        values: { span_count: 1, latency: endNs === null ? null : Number((endNs - startNs) / 1_000_000n) },
        dims: { span_name: spanName, span_type: spanType, span_status: status },
      });
    }
    const assessmentCount = Math.floor(rand() * 3);
    for (let a = 0; a < assessmentCount; a++) {
      const aName = pick(["quality", "relevance", "safe"]);
      const value = pick<unknown>([true, false, "yes", "no", 0.5, 1, 0.25, "other", null]);
      const valid = rand() < 0.9;
      const created = time + Math.floor(rand() * 3 * HOUR);
      await db.query(
        `INSERT INTO assessments (assessment_id, trace_id, name, kind, value, valid, create_time, last_update_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [`a-${traceId}-${a}`, traceId, aName, a % 2 ? "expectation" : "feedback", value === null ? null : JSON.stringify(value), valid, created],
      );
      if (!valid) continue;
      const numeric = typeof value === "number" ? value : value === true || value === "yes" ? 1 : value === false || value === "no" ? 0 : null;
      rows.ASSESSMENTS.push({
        time: created,
        traceId,
        values: { assessment_count: 1, assessment_value: numeric },
        dims: { assessment_name: aName, assessment_value: value === null ? null : JSON.stringify(value), kind: a % 2 ? "expectation" : "feedback" },
      });
    }
  }
});

/** numpy.quantile's default (linear) method, as Postgres' percentile_cont. */
function percentile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * (p / 100);
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo);
}

interface Agg {
  aggregation_type: string;
  percentile_value?: number;
}
const keyOf = (a: Agg) => (a.aggregation_type === "PERCENTILE" ? `P${Number.isInteger(a.percentile_value) ? `${a.percentile_value}.0` : a.percentile_value}` : a.aggregation_type);
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "+00:00");

function bruteForce(view: keyof typeof rows, metric: string, aggs: Agg[], dims: string[], opts: { interval?: number; start?: number; end?: number; where?: (r: ViewRow) => boolean } = {}) {
  const groups = new Map<string, { dims: Dims; values: number[]; count: number; sessions: Set<string> }>();
  for (const r of rows[view]) {
    if (opts.where && !opts.where(r)) continue;
    if (opts.start !== undefined && r.time < opts.start) continue;
    if (opts.end !== undefined && r.time > opts.end) continue;
    if (dims.includes("trace_name") && r.dims.trace_name === null) continue;
    const d: Dims = {};
    if (opts.interval) d.time_bucket = iso(Math.floor(r.time / (opts.interval * 1000)) * opts.interval * 1000);
    for (const k of dims) d[k] = r.dims[k];
    const key = JSON.stringify(d);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { dims: d, values: [], count: 0, sessions: new Set() }));
    if (r.dims.session) g.sessions.add(r.dims.session);
    const v = r.values[metric];
    if (v !== null) {
      g.values.push(v);
      g.count++;
    }
  }
  // no dimensions: one group even over no rows, as one SQL aggregate row
  if (!dims.length && !opts.interval && !groups.size) groups.set("{}", { dims: {}, values: [], count: 0, sessions: new Set() });
  const points = [];
  for (const g of groups.values()) {
    const sorted = [...g.values].sort((a, b) => a - b);
    const values: Record<string, number> = {};
    for (const a of aggs) {
      if (a.aggregation_type === "COUNT") values.COUNT = metric === "session_count" ? g.sessions.size : g.count;
      else if (!sorted.length) continue;
      else if (a.aggregation_type === "SUM") values.SUM = sorted.reduce((s, x) => s + x, 0);
      else if (a.aggregation_type === "AVG") values.AVG = sorted.reduce((s, x) => s + x, 0) / sorted.length;
      else if (a.aggregation_type === "MIN") values.MIN = sorted[0];
      else if (a.aggregation_type === "MAX") values.MAX = sorted[sorted.length - 1];
      else values[keyOf(a)] = percentile(sorted, a.percentile_value!);
    }
    if (Object.keys(values).length) points.push({ metric_name: metric, dimensions: g.dims, values });
  }
  return points;
}

const canon = (points: { dimensions: Dims; values: Record<string, number> }[]) =>
  points.map((p) => JSON.stringify(p.dimensions)).sort();

function assertSamePoints(actual: any[], expected: ReturnType<typeof bruteForce>, label: string) {
  assert.deepEqual(canon(actual), canon(expected), `${label}: the groups`);
  const byKey = new Map(expected.map((p) => [JSON.stringify(p.dimensions), p]));
  for (const p of actual) {
    const e = byKey.get(JSON.stringify(p.dimensions))!;
    assert.equal(p.metric_name, e.metric_name);
    assert.deepEqual(Object.keys(p.values).sort(), Object.keys(e.values).sort(), `${label} ${JSON.stringify(p.dimensions)}: the value keys`);
    for (const [k, v] of Object.entries(e.values)) {
      const got = p.values[k];
      assert.ok(Math.abs(got - v) <= 1e-9 * Math.max(1, Math.abs(v)), `${label} ${JSON.stringify(p.dimensions)} ${k}: got ${got}, expected ${v}`);
    }
  }
}

async function query(body: Record<string, unknown>) {
  const r = await http("POST", PATH, { experiment_ids: [exp1, exp2], ...body });
  assert.equal(r.status, 200, r.text);
  return r.json as { data_points: any[]; next_page_token?: string };
}

const NUMERIC_AGGS: Agg[] = [
  { aggregation_type: "COUNT" },
  { aggregation_type: "SUM" },
  { aggregation_type: "AVG" },
  { aggregation_type: "MIN" },
  { aggregation_type: "MAX" },
  { aggregation_type: "PERCENTILE", percentile_value: 50 },
  { aggregation_type: "PERCENTILE", percentile_value: 99.5 },
];
const COUNT_AGGS: Agg[] = [{ aggregation_type: "COUNT" }];

const CASES: { view: keyof typeof rows; metrics: Record<string, Agg[]>; dimensionSets: string[][] }[] = [
  {
    view: "TRACES",
    metrics: { trace_count: COUNT_AGGS, session_count: COUNT_AGGS, latency: NUMERIC_AGGS, input_tokens: NUMERIC_AGGS, output_tokens: NUMERIC_AGGS, total_tokens: NUMERIC_AGGS, cost: NUMERIC_AGGS },
    dimensionSets: [[], ["trace_name"], ["trace_status"], ["trace_name", "trace_status"], ["model"]],
  },
  {
    view: "SPANS",
    metrics: { span_count: COUNT_AGGS, latency: NUMERIC_AGGS },
    dimensionSets: [[], ["span_name"], ["span_type"], ["span_status"], ["span_type", "span_status"]],
  },
  {
    view: "ASSESSMENTS",
    metrics: { assessment_count: COUNT_AGGS, assessment_value: NUMERIC_AGGS },
    dimensionSets: [[], ["assessment_name"], ["assessment_value"], ["assessment_name", "assessment_value"]],
  },
];

for (const c of CASES) {
  test(`${c.view}: every metric × aggregation × dimension set, with and without hourly buckets, matches the brute force`, async () => {
    for (const [metric, aggs] of Object.entries(c.metrics)) {
      for (const dims of c.dimensionSets) {
        const label = `${c.view} ${metric} [${dims}]`;
        const plain = await query({ view_type: c.view, metric_name: metric, aggregations: aggs, dimensions: dims });
        assert.equal(plain.next_page_token, undefined);
        const expected = bruteForce(c.view, metric, aggs, dims);
        assert.ok(expected.length > (dims.length ? 1 : 0) && expected.some((p) => Object.keys(p.values).length === aggs.length), label + ": the seed covers it");
        assertSamePoints(plain.data_points, expected, label);
        // a range that cuts rows off at both ends, bucketed by the hour
        const start = BASE + HOUR / 2;
        const end = BASE + 4 * HOUR;
        const bucketed = await query({ view_type: c.view, metric_name: metric, aggregations: aggs, dimensions: dims, time_interval_seconds: 3600, start_time_ms: start, end_time_ms: end });
        assertSamePoints(bucketed.data_points, bruteForce(c.view, metric, aggs, dims, { interval: 3600, start, end }), label + " hourly");
        // buckets come first in the order, ascending
        const buckets = bucketed.data_points.map((p) => p.dimensions.time_bucket);
        assert.deepEqual(buckets, [...buckets].sort(), label + ": bucket order");
      }
    }
  });
}

test("enum numbers, trace filters (search grammar) and view-row filters (MLflow's span./assessment.)", async () => {
  const byNumbers = await query({ view_type: 1, metric_name: "latency", aggregations: [{ aggregation_type: 3 }, { aggregation_type: "4", percentile_value: "90" }] });
  assertSamePoints(byNumbers.data_points, bruteForce("TRACES", "latency", [{ aggregation_type: "AVG" }, { aggregation_type: "PERCENTILE", percentile_value: 90 }], []), "enum numbers");

  const errors = await query({ view_type: "TRACES", metric_name: "trace_count", aggregations: COUNT_AGGS, filters: ['trace.status = "ERROR"', "tag.env = 'prod'"] });
  // MLflow's own spelling of the same tag filter
  const mlflowSpelling = await query({ view_type: "TRACES", metric_name: "trace_count", aggregations: COUNT_AGGS, filters: ['trace.status = "ERROR"', 'trace.tag.env = "prod"'] });
  assert.deepEqual(mlflowSpelling, errors);
  const isErrorProd = (r: ViewRow) => traceState.get(r.traceId) === "ERROR" && traceTags.get(r.traceId)?.env === "prod";
  assertSamePoints(errors.data_points, bruteForce("TRACES", "trace_count", COUNT_AGGS, [], { where: isErrorProd }), "trace filters");

  const llm = await query({ view_type: "SPANS", metric_name: "latency", aggregations: [{ aggregation_type: "AVG" }], dimensions: ["span_status"], filters: ['span.type = "LLM"', 'trace.status = "OK"'] });
  assertSamePoints(
    llm.data_points,
    bruteForce("SPANS", "latency", [{ aggregation_type: "AVG" }], ["span_status"], { where: (r) => r.dims.span_type === "LLM" && traceState.get(r.traceId) === "OK" }),
    "span filter",
  );

  const quality = await query({ view_type: "ASSESSMENTS", metric_name: "assessment_value", aggregations: [{ aggregation_type: "AVG" }], filters: ['assessment.name = "quality"', 'assessment.type = "feedback"'] });
  assertSamePoints(
    quality.data_points,
    bruteForce("ASSESSMENTS", "assessment_value", [{ aggregation_type: "AVG" }], [], { where: (r) => r.dims.assessment_name === "quality" && r.dims.kind === "feedback" }),
    "assessment filter",
  );
});

test("pages: max_results points a page, the token continues the same query, and the pages add up to the whole", async () => {
  const body = { view_type: "SPANS", metric_name: "span_count", aggregations: COUNT_AGGS, dimensions: ["span_name", "span_status"] };
  const whole = await query(body);
  const pages: any[] = [];
  let token: string | undefined;
  do {
    const page = await query({ ...body, max_results: 2, page_token: token });
    assert.ok(page.data_points.length <= 2);
    pages.push(...page.data_points);
    token = page.next_page_token;
  } while (token);
  assert.deepEqual(pages, whole.data_points);
  const reused = await http("POST", PATH, { experiment_ids: [exp1], ...body, max_results: 2, page_token: (await query({ ...body, max_results: 2 })).next_page_token });
  assert.equal(reused.status, 400, "a token of another query is refused");
});

test("malformed requests answer 400 with MLflow's envelope, never 500", async () => {
  const good = { experiment_ids: [exp1], view_type: "TRACES", metric_name: "latency", aggregations: [{ aggregation_type: "AVG" }] };
  const bad: [string, unknown][] = [
    ["no experiments", { ...good, experiment_ids: [] }],
    ["bad experiment id", { ...good, experiment_ids: ["x'; drop"] }],
    ["no view type", { ...good, view_type: undefined }],
    ["unknown view type", { ...good, view_type: "RUNS" }],
    ["view type out of range", { ...good, view_type: 7 }],
    ["unknown metric", { ...good, metric_name: "nope" }],
    ["metric of another view", { ...good, metric_name: "span_count" }],
    ["no aggregations", { ...good, aggregations: [] }],
    ["unknown aggregation", { ...good, aggregations: [{ aggregation_type: "MEDIAN" }] }],
    ["AVG of a count", { ...good, metric_name: "trace_count" }],
    ["percentile without a value", { ...good, aggregations: [{ aggregation_type: "PERCENTILE" }] }],
    ["percentile above 100", { ...good, aggregations: [{ aggregation_type: "PERCENTILE", percentile_value: 101 }] }],
    ["unknown dimension", { ...good, dimensions: ["span_name"] }],
    ["interval without a range", { ...good, time_interval_seconds: 60 }],
    ["negative interval", { ...good, time_interval_seconds: -5, start_time_ms: 0, end_time_ms: 1 }],
    ["start after end", { ...good, start_time_ms: 10, end_time_ms: 1 }],
    ["broken filter", { ...good, filters: ["trace.status = "] }],
    ["unknown filter field", { ...good, filters: ['nope.x = "1"'] }],
    ["max_results 0", { ...good, max_results: 0 }],
    ["garbage page token", { ...good, page_token: "%%%" }],
    ["not an object", "[1, 2]"],
  ];
  for (const [label, body] of bad) {
    const r = await http("POST", PATH, body);
    assert.equal(r.status, 400, `${label}: ${r.status} ${r.text}`);
    assert.equal((r.json as any).error_code, "INVALID_PARAMETER_VALUE", `${label}: ${r.text}`);
    assert.equal(typeof (r.json as any).message, "string");
  }
});

test("the /ajax-api twin answers the same", async () => {
  const body = { experiment_ids: [exp1, exp2], view_type: "TRACES", metric_name: "trace_count", aggregations: COUNT_AGGS, dimensions: ["trace_status"] };
  const api = await http("POST", PATH, body);
  const ajax = await http("POST", "/ajax-api/3.0/mlflow/traces/metrics", body);
  assert.equal(ajax.status, 200, ajax.text);
  assert.deepEqual(ajax.json, api.json);
});
