// Large-volume seeding and latency measurement for search, shared by tests that EXPLAIN plans and by
// `npm run bench:rest` (search latency section). Rows are generated inside PostgreSQL with
// generate_series, in batches, so a million traces take a minute rather than an hour of inserts.
import type pg from "pg";
import { buildTraceSearchSql, searchTraces } from "../search/traces";

export interface SeedOptions {
  /** traces to create */
  traces: number;
  /** spans per trace (0 for none) */
  spansPerTrace?: number;
  /** request_time of the oldest trace; traces are 1 s apart */
  startTime?: number;
  /** rows per INSERT statement */
  batch?: number;
  /** prefix of generated trace IDs, unique per seeding */
  idPrefix: string;
  onProgress?: (done: number) => void;
}

/** Shapes of the generated data, so callers can write filters that match:
 *  - state: 90 % OK, 8 % ERROR, 2 % IN_PROGRESS
 *  - session_id `s-<i/5>` (5 traces per session), user_id `u-<i%1000>`, both also in metadata
 *  - tags: env ∈ prod/staging/dev (i%3), `mlflow.traceName` = name; 1 trace in 10,000 has tag rare = "yes"
 *  - metadata mlflow.sourceRun `run-<i%50>`
 *  - name ∈ agent-0 … agent-9; execution_duration 10…5009 ms; total_tokens 100…1099 (NULL for 1 in 10)
 *  - previews and span inputs: English words with a sequence number; every 1000th trace also has Arabic,
 *    Chinese and Japanese text (مرحبا, 你好世界, こんにちは)
 *  - spans: a CHAIN root plus LLM / RETRIEVER children */
export const SEED_SHAPES = {
  sessionOf: (i: number) => `s-${Math.floor(i / 5)}`,
  userOf: (i: number) => `u-${i % 1000}`,
};

export async function seedTraces(pool: pg.Pool, experimentId: string, opts: SeedOptions): Promise<void> {
  const total = opts.traces;
  const batch = opts.batch ?? 20_000;
  const spans = opts.spansPerTrace ?? 3;
  const start = opts.startTime ?? 1_700_000_000_000;
  for (let from = 0; from < total; from += batch) {
    const to = Math.min(total, from + batch) - 1;
    await pool.query(
      `INSERT INTO traces (trace_id, experiment_id, client_request_id, request_time, execution_duration, end_time, state, request_preview, response_preview,
         trace_metadata, tags, name, session_id, user_id, input_tokens, output_tokens, total_tokens, cost, span_count, error_count, root_span_id, info_finalized, updated_at)
       SELECT $1 || lpad(i::text, 9, '0'), $2::bigint, 'req-' || i, $3::bigint + i * 1000, 10 + (i * 7919) % 5000, $3::bigint + i * 1000 + 10 + (i * 7919) % 5000,
         CASE WHEN i % 50 = 7 THEN 'IN_PROGRESS' WHEN i % 100 < 8 THEN 'ERROR' ELSE 'OK' END,
         '{"question": "tell me about topic ' || i || CASE WHEN i % 1000 = 0 THEN ' مرحبا 你好世界 こんにちは' ELSE '' END || '"}',
         '"answer number ' || i || '"',
         jsonb_build_object('mlflow.trace.session', 's-' || (i / 5), 'mlflow.trace.user', 'u-' || (i % 1000), 'mlflow.sourceRun', 'run-' || (i % 50), 'mlflow.trace_schema.version', '3'),
         jsonb_build_object('env', (ARRAY['prod','staging','dev'])[i % 3 + 1], 'mlflow.traceName', 'agent-' || (i % 10)) || CASE WHEN i % 10000 = 4242 THEN '{"rare": "yes"}'::jsonb ELSE '{}'::jsonb END,
         'agent-' || (i % 10), 's-' || (i / 5), 'u-' || (i % 1000),
         CASE WHEN i % 10 = 3 THEN NULL ELSE 60 + i % 700 END, CASE WHEN i % 10 = 3 THEN NULL ELSE 40 + i % 400 END, CASE WHEN i % 10 = 3 THEN NULL ELSE 100 + i % 1000 END,
         (i % 1000) / 100000.0, $4::int, CASE WHEN i % 100 < 8 THEN 1 ELSE 0 END, CASE WHEN $4::int > 0 THEN lpad(to_hex(i), 16, '0') END, true, $3::bigint + i * 1000
       FROM generate_series($5::bigint, $6::bigint) AS i`,
      [opts.idPrefix, experimentId, start, spans, from, to],
    );
    if (spans > 0) {
      await pool.query(
        `INSERT INTO spans (trace_id, span_id, parent_span_id, experiment_id, name, span_type, start_time_ns, end_time_ns, status_code, attributes, inputs, outputs)
         SELECT $1 || lpad(i::text, 9, '0'), lpad(to_hex(i * 16 + k), 16, '0'), CASE WHEN k > 0 THEN lpad(to_hex(i), 16, '0') END, $2::bigint,
           CASE WHEN k = 0 THEN 'agent-' || (i % 10) WHEN k % 2 = 1 THEN 'ChatOpenAI' ELSE 'retrieve' END,
           CASE WHEN k = 0 THEN 'CHAIN' WHEN k % 2 = 1 THEN 'LLM' ELSE 'RETRIEVER' END,
           ($3::bigint + i * 1000) * 1000000 + k, ($3::bigint + i * 1000 + 10) * 1000000,
           CASE WHEN k = 1 AND i % 100 < 8 THEN 'ERROR' ELSE 'OK' END,
           CASE WHEN k % 2 = 1 THEN jsonb_build_object('gen_ai.system', (ARRAY['openai','anthropic'])[i % 2 + 1], 'mlflow.llm.model', 'gpt-4o-mini') ELSE '{}'::jsonb END,
           '{"messages": [{"role": "user", "content": "step ' || k || ' of request ' || i || CASE WHEN i % 1000 = 0 THEN ' مرحبا 你好世界 こんにちは' ELSE '' END || '"}]}',
           '{"content": "output ' || k || ' for ' || i || '"}'
         FROM generate_series($4::bigint, $5::bigint) AS i, generate_series(0, $6::int - 1) AS k`,
        [opts.idPrefix, experimentId, start, from, to, spans],
      );
    }
    opts.onProgress?.(to + 1);
  }
  await pool.query("ANALYZE traces");
  if (spans > 0) await pool.query("ANALYZE spans");
}

/** Filters used to measure first-page latency: the indexed ones the UI and clients use most. */
export const TYPICAL_FILTERS: { label: string; filter: string; orderBy?: string[] }[] = [
  { label: "newest first (no filter)", filter: "" },
  { label: "state = ERROR", filter: "trace.status = 'ERROR'" },
  { label: "session", filter: "metadata.`mlflow.trace.session` = 's-1234'", orderBy: ["timestamp_ms ASC"] },
  { label: "user", filter: "metadata.`mlflow.trace.user` = 'u-42'" },
  { label: "tag =", filter: "tag.env = 'prod'" },
  { label: "rare tag =", filter: "tag.rare = 'yes'" },
  { label: "metadata = (run)", filter: "metadata.`mlflow.sourceRun` = 'run-7'" },
  { label: "time range", filter: "trace.timestamp_ms >= 1700000500000 AND trace.timestamp_ms < 1700000600000" },
];

export interface LatencyResult {
  label: string;
  filter: string;
  rows: number;
  p50: number;
  p95: number;
  max: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** First-page latency (ms) of searchTraces for each filter, `runs` times after one warm-up. */
export async function measureSearchLatency(experimentIds: string[], filters = TYPICAL_FILTERS, runs = 20, maxResults = 100): Promise<LatencyResult[]> {
  const out: LatencyResult[] = [];
  for (const f of filters) {
    const q = { experimentIds, filter: f.filter, orderBy: f.orderBy, maxResults };
    let rows = (await searchTraces(q)).rows.length;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      rows = (await searchTraces(q)).rows.length;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out.push({ label: f.label, filter: f.filter, rows, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1] });
  }
  return out;
}

/** EXPLAIN (ANALYZE) of the first page searchTraces would run; the plan text lines. */
export async function explainSearch(pool: pg.Pool, q: Parameters<typeof buildTraceSearchSql>[0], analyze = true): Promise<string[]> {
  const { sql, values } = buildTraceSearchSql(q);
  const { rows } = await pool.query(`EXPLAIN (${analyze ? "ANALYZE, BUFFERS, " : ""}COSTS OFF) ${sql}`, values);
  return rows.map((r: Record<string, string>) => r["QUERY PLAN"]);
}
