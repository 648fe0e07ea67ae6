// npm run bench:sessions — the Sessions and Users views at scale, against the production server on a fresh
// embedded PostgreSQL in a temp dir.
//
// Seeds with SQL (generate_series) 100,000 sessions / 1,000,000 traces for 1,000 users: 99,999 sessions of
// ~10 turns and one session of 1,000 turns, every trace with a root span (the long session's turns also
// with a tool and a chat model span). The summaries are built by the same triggers that ingestion fires.
// Then measures, warm, over HTTP on localhost (BENCH_RUNS requests each, default 15):
//   - the sessions list first page (default sort, other sorts, filters, page 2)  target ≤ 300 ms
//   - the users list first page
//   - opening the 1,000-turn session: the page (server-rendered summary + first 50 turns), and its JSON
//     (summary + first page of turns)                                            target ≤ 1 s
//   - reading the whole 1,000-turn transcript page by page
//   - what the summary triggers cost a trace upsert (with vs. without them)
// and prints each figure with its ratio to the target.
import { createBenchExperiment, runBench, withBenchDatabase } from "./harness";
import os from "node:os";
import pg from "pg";
import { migrate } from "../../lib/server/migrate";

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const SESSIONS = 100_000;
const TRACES = 1_000_000;
const LONG_TURNS = 1_000;
const USERS = 1_000;
const LONG_SESSION = "bench-long-session";
const T0 = Date.UTC(2026, 9, 1);

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function timed(label: string, fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  console.log(`  ${label}: ${fmt(ms / 1000, 1)} s`);
  return ms;
}

async function seed(db: pg.Client, experimentId: string): Promise<void> {
  const shortTraces = TRACES - LONG_TURNS;
  const shortSessions = SESSIONS - 1;
  const CHUNK = 100_000;
  // Turn k of session s (s < 99,999) is trace g = k * 99,999 + s; a session's turns are 2 s apart and sessions
  // start 25 s apart, so the data spans a month. Every 97th trace failed, every 53rd holds a failed span.
  for (let from = 0; from < shortTraces; from += CHUNK) {
    const to = Math.min(shortTraces, from + CHUNK) - 1;
    await db.query(
      `INSERT INTO traces (trace_id, experiment_id, request_time, execution_duration, end_time, state, request_preview, response_preview,
         trace_metadata, tags, name, session_id, user_id, input_tokens, output_tokens, total_tokens, cost, span_count, error_count,
         root_span_id, info_finalized, updated_at)
       SELECT 'tr-' || md5(g::text), $1, rt, dur, rt + dur, CASE WHEN g % 97 = 0 THEN 'ERROR' ELSE 'OK' END,
              '{"question":"Question ' || g || ' about the order status of customer ' || s % ${USERS} || '"}',
              '{"answer":"Answer ' || g || ': the order shipped and arrives tomorrow."}',
              jsonb_build_object('mlflow.trace.session', 'session-' || s, 'mlflow.trace.user', 'user-' || s % ${USERS}, 'mlflow.trace_schema.version', '3'),
              '{}', 'agent_turn', 'session-' || s, 'user-' || s % ${USERS}, 100 + g % 50, 20 + g % 30, 120 + g % 50 + g % 30,
              CASE WHEN g % 3 = 0 THEN 0.0004 END, 3, CASE WHEN g % 53 = 0 THEN 1 ELSE 0 END, substr(md5(g::text), 1, 16), true, $2
         FROM generate_series($3::bigint, $4::bigint) g,
              LATERAL (SELECT g % ${shortSessions} AS s, g / ${shortSessions} AS k) sk,
              LATERAL (SELECT ${T0}::bigint + s * 25000 + k * 2000 AS rt, 400 + g % 1600 AS dur) t`,
      [experimentId, Date.now(), from, to],
    );
  }
  // the long session: 1,000 turns a minute apart, with a tool span and a chat model span per turn
  await db.query(
    `INSERT INTO traces (trace_id, experiment_id, request_time, execution_duration, end_time, state, request_preview, response_preview,
       trace_metadata, tags, name, session_id, user_id, input_tokens, output_tokens, total_tokens, cost, span_count, error_count,
       root_span_id, info_finalized, updated_at)
     SELECT 'tr-' || md5('long' || k), $1, ${T0}::bigint + 86400000 + k * 60000, 1200, ${T0}::bigint + 86400000 + k * 60000 + 1200,
            CASE WHEN k % 100 = 99 THEN 'ERROR' ELSE 'OK' END,
            '{"question":"Turn ' || k || ': can you check order ' || (1000 + k) || '?"}', '{"answer":"Order ' || (1000 + k) || ' shipped."}',
            jsonb_build_object('mlflow.trace.session', '${LONG_SESSION}', 'mlflow.trace.user', 'user-long'), '{}', 'agent_turn',
            '${LONG_SESSION}', 'user-long', 300, 40, 340, 0.002, 3, 0, substr(md5('long' || k), 1, 16), true, $2
       FROM generate_series(0, ${LONG_TURNS - 1}) k`,
    [experimentId, Date.now()],
  );
  // root spans for every trace; tool and chat spans for the long session
  for (let from = 0; from < shortTraces; from += CHUNK * 2) {
    await db.query(
      `INSERT INTO spans (trace_id, span_id, parent_span_id, experiment_id, name, span_type, start_time_ns, end_time_ns, status_code, attributes, inputs, outputs, events)
       SELECT trace_id, root_span_id, NULL, experiment_id, 'agent_turn', 'AGENT', request_time * 1000000, end_time * 1000000,
              CASE WHEN state = 'ERROR' THEN 'ERROR' ELSE 'OK' END, '{"mlflow.spanType":"AGENT"}', request_preview, response_preview, '[]'
         FROM traces WHERE experiment_id = $1 AND trace_id IN (SELECT 'tr-' || md5(g::text) FROM generate_series($2::bigint, $3::bigint) g)`,
      [experimentId, from, Math.min(shortTraces, from + CHUNK * 2) - 1],
    );
  }
  await db.query(
    `INSERT INTO spans (trace_id, span_id, parent_span_id, experiment_id, name, span_type, start_time_ns, end_time_ns, status_code, status_message, attributes, inputs, outputs, events)
     SELECT t.trace_id, x.span_id, CASE WHEN x.kind = 'root' THEN NULL ELSE t.root_span_id END, t.experiment_id, x.name, x.type,
            t.request_time * 1000000 + x.off, t.end_time * 1000000, x.status, x.msg, x.attrs, x.inputs, x.outputs, '[]'
       FROM traces t,
       LATERAL (VALUES
         ('root', t.root_span_id, 'agent_turn', 'AGENT', 0, CASE WHEN t.state = 'ERROR' THEN 'ERROR' ELSE 'OK' END,
          CASE WHEN t.state = 'ERROR' THEN 'AgentError: model timed out' END, '{"mlflow.spanType":"AGENT"}'::jsonb, t.request_preview, t.response_preview),
         ('tool', substr(md5(t.trace_id || 'tool'), 1, 16), 'lookup_order', 'TOOL', 1000, 'OK', NULL, '{"mlflow.spanType":"TOOL"}'::jsonb,
          '{"order_id":"' || t.request_time || '"}', '{"status":"shipped"}'),
         ('chat', substr(md5(t.trace_id || 'chat'), 1, 16), 'generate_answer', 'CHAT_MODEL', 2000, 'OK', NULL, '{"mlflow.spanType":"CHAT_MODEL"}'::jsonb,
          '{"messages":[{"role":"user","content":"check my order"}]}', '{"role":"assistant","content":"It shipped."}')
       ) AS x(kind, span_id, name, type, off, status, msg, attrs, inputs, outputs)
      WHERE t.experiment_id = $1 AND t.session_id = '${LONG_SESSION}'`,
    [experimentId],
  );
}

interface Stats {
  first: number;
  p50: number;
  p95: number;
  max: number;
}

async function measure(fn: () => Promise<unknown>, runs = RUNS): Promise<Stats> {
  const t0 = performance.now();
  await fn();
  const first = performance.now() - t0;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { first, p50: pct(times, 50), p95: pct(times, 95), max: times[times.length - 1] };
}

function report(label: string, s: Stats, targetMs?: number): void {
  const ratio = targetMs ? `  ratio_to_target: ${(s.p50 / targetMs).toFixed(2)} (p95 ${(s.p95 / targetMs).toFixed(2)}, target ${fmt(targetMs)} ms)` : "";
  console.log(`${label.padEnd(44)} p50_ms: ${fmt(s.p50, 1).padStart(7)}  p95_ms: ${fmt(s.p95, 1).padStart(7)}  max_ms: ${fmt(s.max, 1).padStart(7)}  first_ms: ${fmt(s.first, 1).padStart(7)}${ratio}`);
}

async function getJson(base: string, p: string): Promise<any> {
  const res = await fetch(base + p);
  const text = await res.text();
  if (!res.ok) throw new Error(`${p}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function getText(base: string, p: string): Promise<string> {
  const res = await fetch(base + p);
  const text = await res.text();
  if (!res.ok) throw new Error(`${p}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

async function triggerCost(db: pg.Client, experimentId: string): Promise<void> {
  // the ingest pattern: one upsert statement per trace, a new trace and then updates of it (python: one per span)
  const N = 2000;
  const run = async (tag: string) => {
    const t = performance.now();
    for (let i = 0; i < N; i++) {
      const id = `tr-trig-${tag}-${i >> 2}`;
      await db.query(
        `INSERT INTO traces (trace_id, experiment_id, request_time, execution_duration, state, session_id, user_id, total_tokens, span_count, updated_at)
         VALUES ($1, $2, $3, 10, 'IN_PROGRESS', $4, 'trig-user', 10, 1, 0)
         ON CONFLICT (trace_id) DO UPDATE SET span_count = traces.span_count + 1, total_tokens = traces.total_tokens + 10,
           state = CASE WHEN traces.span_count >= 3 THEN 'OK' ELSE traces.state END, updated_at = traces.updated_at + 1`,
        [id, experimentId, T0 + i, `trig-session-${tag}-${i >> 5}`],
      );
    }
    return (performance.now() - t) / N;
  };
  await run("warm");
  const withTriggers = await run("on");
  await db.query("ALTER TABLE traces DISABLE TRIGGER traces_summaries_ins, DISABLE TRIGGER traces_summaries_upd");
  const without = await run("off");
  await db.query("ALTER TABLE traces ENABLE TRIGGER traces_summaries_ins, ENABLE TRIGGER traces_summaries_upd");
  console.log(
    `trace upsert (autocommit, 1 row):            with_summary_triggers_ms: ${fmt(withTriggers, 3)}  without_ms: ${fmt(without, 3)}  trigger_cost_ms: ${fmt(withTriggers - without, 3)}`,
  );
}

async function main() {
  console.log(`bench:sessions  ${os.cpus().length} CPUs, node ${process.version}, ${RUNS} warm runs per figure`);
  await withBenchDatabase("sessions", { migrate: true }, async ({ dir, dbUrl, startServer }) => {
    const admin = new pg.Client({ connectionString: dbUrl });
    try {
      await admin.connect();
      const exp = await createBenchExperiment(admin, "bench-sessions");
      console.log(`seeding ${fmt(SESSIONS)} sessions / ${fmt(TRACES)} traces / ${fmt(USERS + 1)} users …`);
      await timed("seed (traces, spans, summaries by trigger)", () => seed(admin, exp));
      await timed("VACUUM ANALYZE", async () => {
        await admin.query("VACUUM ANALYZE traces");
        await admin.query("VACUUM ANALYZE spans");
        await admin.query("VACUUM ANALYZE trace_sessions");
        await admin.query("VACUUM ANALYZE trace_users");
      });
      const counts = await admin.query(
        `SELECT (SELECT count(*) FROM traces WHERE experiment_id = $1) AS traces, (SELECT count(*) FROM spans WHERE experiment_id = $1) AS spans,
                (SELECT count(*) FROM trace_sessions WHERE experiment_id = $1) AS sessions, (SELECT count(*) FROM trace_users WHERE experiment_id = $1) AS users,
                (SELECT turns FROM trace_sessions WHERE experiment_id = $1 AND session_id = '${LONG_SESSION}') AS long_turns`,
        [exp],
      );
      const c = counts.rows[0];
      console.log(`stored: traces ${fmt(Number(c.traces))}, spans ${fmt(Number(c.spans))}, sessions ${fmt(Number(c.sessions))}, users ${fmt(Number(c.users))}, long session turns ${c.long_turns}`);
      if (Number(c.sessions) !== SESSIONS || Number(c.traces) !== TRACES || Number(c.long_turns) !== LONG_TURNS) throw new Error("seed counts are off");
      // what the summary would cost without the summary table: the GROUP BY it replaces
      const gb = await measure(async () => {
        await admin.query(
          `SELECT session_id, count(*), min(request_time), max(request_time + coalesce(execution_duration, 0)) AS last, sum(total_tokens)
             FROM traces WHERE experiment_id = $1 AND session_id IS NOT NULL GROUP BY session_id ORDER BY last DESC LIMIT 50`,
          [exp],
        );
      }, 3);
      report("(reference) GROUP BY over traces, SQL only", gb);

      await triggerCost(admin, exp);

      const server = await startServer();
      const base = server.url;
      const api = `/api/ui/experiments/${exp}`;

      const first = await getJson(base, `${api}/sessions?size=50`);
      if (first.items.length !== 50 || !first.nextPageToken) throw new Error("unexpected first page");
      report("sessions list, first page (last activity)", await measure(() => getJson(base, `${api}/sessions?size=50`)), 300);
      for (const [label, q] of [
        ["… sorted by turns", "sort=turns"],
        ["… sorted by tokens", "sort=tokens"],
        ["… sorted by session id asc", "sort=session_id&dir=asc"],
        ["… sorted by users", "sort=users"],
        ["… filter user=user-7", "user=user-7"],
        ["… filter has errors", "errors=1"],
        ["… filter time range (from/to, 1 day)", `from=${T0 + 10 * 86_400_000}&to=${T0 + 11 * 86_400_000}`],
        ["… page 2 (keyset)", `page_token=${first.nextPageToken}`],
        ["… search session id 'session-4242'", "q=session-4242"],
        ["… search content 'order 1234?' (full scan)", `q=${encodeURIComponent("order 1234?")}`],
      ] as const) {
        report(label, await measure(() => getJson(base, `${api}/sessions?size=50&${q}`)), 300);
      }
      report("sessions page HTML (server-rendered)", await measure(() => getText(base, `/experiments/${exp}/sessions`)), 300);
      report("users list, first page (last seen)", await measure(() => getJson(base, `${api}/users?size=50`)), 300);
      report("… sorted by sessions", await measure(() => getJson(base, `${api}/users?size=50&sort=sessions`)), 300);
      report("user page HTML (user-7: totals + sessions)", await measure(() => getText(base, `/experiments/${exp}/users/user-7`)), 300);

      const long = encodeURIComponent(LONG_SESSION);
      const page = await getJson(base, `${api}/sessions/${long}/turns?size=50`);
      if (page.items.length !== 50 || !page.items[0].turn.user || !page.items[0].turn.assistant || page.items[0].turn.toolCalls.length !== 1) {
        throw new Error(`unexpected turns page: ${JSON.stringify(page.items[0]).slice(0, 400)}`);
      }
      report("open 1,000-turn session: page HTML", await measure(() => getText(base, `/experiments/${exp}/sessions/${long}`)), 1000);
      report(
        "open 1,000-turn session: summary + 50 turns",
        await measure(async () => {
          await Promise.all([getJson(base, `${api}/sessions/${long}`), getJson(base, `${api}/sessions/${long}/turns?size=50`)]);
        }),
        1000,
      );
      const all = await measure(async () => {
        let token: string | null = null;
        let n = 0;
        do {
          const p: any = await getJson(base, `${api}/sessions/${long}/turns?size=50${token ? `&page_token=${encodeURIComponent(token)}` : ""}`);
          n += p.items.length;
          token = p.nextPageToken;
        } while (token);
        if (n !== LONG_TURNS) throw new Error(`read ${n} turns`);
      }, 3);
      report("read all 1,000 turns (20 pages of 50)", all);
    } finally {
      await admin.end().catch(() => {});
    }
  });
}

runBench(main);
