// npm run bench:ui — the web UI at scale, on its own production server over an embedded PostgreSQL in a
// temp dir:
//  - an experiment seeded with 1,000,000 traces (generate_series; see lib/testing/bench-data.ts for shapes)
//    and one trace of 50,000 spans (a 4-ary tree with ~300 B payloads per span);
//  - server time of the Traces tab's first page: the server-rendered HTML of /experiments/{id}/traces and
//    the table's JSON endpoint, p50/p95;
//  - in Debian Chromium (Playwright): time from navigation to a rendered first page of the table, to a
//    rendered filtered page, and to an interactive 50k-span trace (tree painted and the root span's payload
//    shown), plus the time for a click on a deep span to show its payload.
// Targets (issue #5): first page <= 300 ms server, <= 1 s rendered; 50k-span trace interactive <= 2 s.
// Env: BENCH_SEED_TRACES (default 1000000), BENCH_TRACE_SPANS (default 50000), BENCH_RUNS (default 7).
import { runBench, withBenchDatabase } from "./harness";
import { chromium } from "@playwright/test";
import path from "node:path";
import pg from "pg";
import { seedTraces } from "../../lib/testing/bench-data";
import { ROOT } from "../../lib/server/paths";

const SEED = Number(process.env.BENCH_SEED_TRACES ?? 1_000_000);
const SPANS = Number(process.env.BENCH_TRACE_SPANS ?? 50_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGETS = { serverMs: 300, renderedMs: 1000, bigTraceMs: 2000 };
const BIG_TRACE_ID = "tr-b16b16b16b16b16b16b16b16b16b16b1";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

function report(label: string, times: number[], target: number) {
  const p50 = pct(times, 50);
  const p95 = pct(times, 95);
  console.log(`${label.padEnd(48)} p50 ${fmt(p50).padStart(8)}  p95 ${fmt(p95).padStart(8)}  target ${fmt(target)}  ${p95 <= target ? "OK" : "OVER"} (p95/target ${(p95 / target).toFixed(2)})`);
}

/** One trace of `n` spans: a 4-ary tree (depth ~8) whose spans start 1 ms apart, with small JSON payloads. */
async function seedBigTrace(pool: pg.Pool, experimentId: string, n: number): Promise<void> {
  const t0 = Date.now() + 3_600_000; // newest trace of the experiment
  await pool.query(
    `INSERT INTO traces (trace_id, experiment_id, request_time, execution_duration, end_time, state, request_preview, response_preview, trace_metadata, tags,
       name, span_count, error_count, root_span_id, info_finalized, updated_at)
     VALUES ($1, $2::bigint, $3::bigint, $4::bigint, $3::bigint + $4::bigint, 'OK', '{"question": "a very big agent run"}', '"done"', '{}', '{"mlflow.traceName": "big-agent"}', 'big-agent', $5, 0, lpad(to_hex(0), 16, '0'), true, $3::bigint)`,
    [BIG_TRACE_ID, experimentId, t0, n + 10, n],
  );
  await pool.query(
    `INSERT INTO spans (trace_id, span_id, parent_span_id, experiment_id, name, span_type, start_time_ns, end_time_ns, status_code, attributes, inputs, outputs)
     SELECT $1, lpad(to_hex(k), 16, '0'), CASE WHEN k > 0 THEN lpad(to_hex((k - 1) / 4), 16, '0') END, $2::bigint,
       (ARRAY['plan','call_llm','search','tool','parse'])[k % 5 + 1] || '_' || k,
       (ARRAY['CHAIN','LLM','RETRIEVER','TOOL','PARSER'])[k % 5 + 1],
       ($3::bigint + k) * 1000000, ($3::bigint + k + 5 + (k % 17)) * 1000000,
       CASE WHEN k % 997 = 5 THEN 'ERROR' ELSE 'OK' END,
       jsonb_build_object('mlflow.spanFunctionName', 'fn_' || (k % 50)),
       '{"messages": [{"role": "user", "content": "step ' || k || ' of the big run, with some text to make the payload realistic"}]}',
       '{"content": "output of step ' || k || '", "tokens": ' || (k % 300) || '}'
     FROM generate_series(0, $4::int - 1) AS k`,
    [BIG_TRACE_ID, experimentId, t0, n],
  );
}

async function timeFetch(url: string, runs: number): Promise<number[]> {
  await (await fetch(url)).text(); // warm-up (compiles nothing in production, but fills caches)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await fetch(url);
    await r.text();
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    times.push(performance.now() - t);
  }
  return times;
}

async function main() {
  await withBenchDatabase("ui", {}, async ({ dbUrl, startServer }) => {
    const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
    try {
      const server = await startServer();
      const url = server.url;
      const created = await fetch(`${url}/api/2.0/mlflow/experiments/create`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "bench-ui" }) });
      const { experiment_id: exp } = (await created.json()) as { experiment_id: string };

      let t = performance.now();
      await seedTraces(pool, exp, { traces: SEED, spansPerTrace: 0, idPrefix: "tr-benchui", startTime: Date.now() - SEED * 1000, batch: 50_000, onProgress: (d) => process.stdout.write(`\rseeding traces ${d.toLocaleString("en")}/${SEED.toLocaleString("en")}`) });
      await seedBigTrace(pool, exp, SPANS);
      await pool.query("VACUUM ANALYZE traces");
      await pool.query("VACUUM ANALYZE spans");
      console.log(`\nseeded ${SEED.toLocaleString("en")} traces + one ${SPANS.toLocaleString("en")}-span trace in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);

      const tracesUrl = `${url}/experiments/${exp}/traces`;
      const errorFilter = "trace.status = 'ERROR'";
      const userFilter = "metadata.`mlflow.trace.user` = 'u-42'";
      const filtered = `${tracesUrl}?filter=${encodeURIComponent(errorFilter)}`;

      console.log("server time (HTTP, sequential)");
      report("  first page, server-rendered HTML", await timeFetch(tracesUrl, RUNS * 3), TARGETS.serverMs);
      report("  first page, table JSON (50 rows)", await timeFetch(`${url}/api/ui/experiments/${exp}/traces?size=50`, RUNS * 3), TARGETS.serverMs);
      report("  filtered page (state = ERROR), HTML", await timeFetch(filtered, RUNS * 3), TARGETS.serverMs);
      report("  filtered page (user), JSON", await timeFetch(`${url}/api/ui/experiments/${exp}/traces?size=50&filter=${encodeURIComponent(userFilter)}`, RUNS * 3), TARGETS.serverMs);
      report("  exact count, 1M traces (no filter)", await timeFetch(`${url}/api/ui/experiments/${exp}/traces/count`, RUNS), TARGETS.serverMs);
      report("  exact count (state = ERROR)", await timeFetch(`${url}/api/ui/experiments/${exp}/traces/count?filter=${encodeURIComponent(errorFilter)}`, RUNS), TARGETS.serverMs);
      report("  home page (experiments with counts), HTML", await timeFetch(`${url}/`, RUNS), TARGETS.serverMs);
      report(`  ${SPANS / 1000}k-span skeleton JSON`, await timeFetch(`${url}/api/ui/traces/${BIG_TRACE_ID}/spans`, RUNS), TARGETS.bigTraceMs);

      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const measure = async (target: string, ready: () => Promise<unknown>): Promise<number[]> => {
        const times: number[] = [];
        for (let i = 0; i <= RUNS; i++) {
          await page.goto("about:blank");
          t = performance.now();
          await page.goto(target, { waitUntil: "commit" });
          await ready();
          if (i > 0) times.push(performance.now() - t); // run 0 warms the browser cache
        }
        return times;
      };
      console.log("\nin Chromium, navigation to rendered");
      report("  Traces tab, first page (50 rows)", await measure(tracesUrl, () => page.locator("tbody tr[data-trace-id]").nth(49).waitFor()), TARGETS.renderedMs);
      report("  filtered page (state = ERROR)", await measure(filtered, () => page.locator("tbody tr[data-trace-id]").nth(49).waitFor()), TARGETS.renderedMs);
      const bigUrl = `${url}/experiments/${exp}/traces/${BIG_TRACE_ID}`;
      report(
        `  ${SPANS / 1000}k-span trace interactive`,
        await measure(bigUrl, async () => {
          await page.getByRole("treeitem").first().waitFor();
          await page.getByTestId("span-detail").getByText("step 0 of the big run").first().waitFor();
        }),
        TARGETS.bigTraceMs,
      );
      // Responsiveness once open: jump to the end of the tree and open the last span's payload.
      const clicks: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await page.getByRole("tree").focus();
        t = performance.now();
        await page.keyboard.press("End");
        const last = page.locator('[role="treeitem"][aria-selected="true"]');
        await last.waitFor();
        const k = parseInt((await last.getAttribute("data-span-id")) ?? "0", 16);
        await page.getByTestId("span-detail").getByText(new RegExp(`output of step ${k}\\b`)).first().waitFor();
        clicks.push(performance.now() - t);
        await page.keyboard.press("Home");
        await page.getByTestId("span-detail").getByText("step 0 of the big run").first().waitFor();
      }
      report(`  ${SPANS / 1000}k-span trace: End key → last span's payload`, clicks, 500);
      await page.screenshot({ path: path.join(ROOT, "e2e", "screenshots", "bench-big-trace.png") });
      await page.goto(tracesUrl);
      await page.locator("tbody tr[data-trace-id]").nth(49).waitFor();
      await page.getByTestId("trace-count").getByText(/traces/).waitFor();
      await page.screenshot({ path: path.join(ROOT, "e2e", "screenshots", "bench-traces-1m.png") });
    } finally {
      await browser.close().catch(() => {});
      await pool.end().catch(() => {});
    }
  });
}

runBench(main);
