// npm run bench:otlp — OTLP ingestion against the production server on a fresh embedded PostgreSQL.
//
// 1. raw ceiling: the same decoded span rows COPYed into `spans` by two connections (no HTTP, no decoding,
//    no trace rows), one COPY transaction per 512 rows;
// 2. 512-span protobuf batches (GenAI attributes, ~1 KB spans, 16 spans per trace, fresh trace ids per
//    request) from 4 and then 8 concurrent senders: spans/s, p50/p99 latency, server RSS, and
//    ratio_to_copy_ceiling (spans/s at 4 senders ÷ ceiling rows/s);
// 3. the MLflow Python client's pattern: one span per request (typed values, children first, root last)
//    from 8 concurrent senders: requests/s, p50, p99.
// BENCH_SECONDS (default 20) and BENCH_WARMUP_SECONDS (3) set each phase's length; BENCH_SERVER_NODE_OPTIONS
// passes node flags to the server (e.g. --max-semi-space-size=64); BENCH_VERBOSE=1 prints the database URL
// so it can be watched while the load runs; BENCH_ONLY=batches or BENCH_ONLY=single runs one load phase. The load generator runs on the same machine as the server.
import { createBenchExperiment, runBench, withBenchDatabase } from "./harness";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { closeDb } from "../../lib/db";
import { migrate } from "../../lib/server/migrate";
import { copySpans, spanCopyRows } from "../../lib/store/ingest";
import { decodeOtlpTraces, encodeExportRequest } from "../../lib/tracing/otlp";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const SPANS_PER_BATCH = 512;
const SPANS_PER_TRACE = 16;

// ------------------------------------------------------------------ load shapes

const WORDS = "the of trace span model agent tool retrieval answer question context document token latency user session query result vector index prompt".split(" ");
function text(bytes: number): string {
  let s = "";
  while (s.length < bytes) s += WORDS[(Math.random() * WORDS.length) | 0] + " ";
  return s.slice(0, bytes);
}

const str = (v: string) => ({ stringValue: v });
const int = (v: number) => ({ intValue: v });

/** A 512-span ExportTraceServiceRequest with realistic GenAI attributes (~1 KB per span). */
function buildBatch(): { bytes: Buffer; traceIds: Buffer[] } {
  const traceIds: Buffer[] = [];
  const spans = [];
  const base = BigInt(Date.now()) * 1_000_000n;
  for (let t = 0; t < SPANS_PER_BATCH / SPANS_PER_TRACE; t++) {
    const traceId = randomBytes(16);
    traceIds.push(traceId);
    const rootId = randomBytes(8);
    for (let i = 0; i < SPANS_PER_TRACE; i++) {
      const isRoot = i === 0;
      const start = base + BigInt(t * 1_000_000 + i * 1000);
      spans.push({
        traceId,
        spanId: isRoot ? rootId : randomBytes(8),
        parentSpanId: isRoot ? undefined : rootId,
        name: isRoot ? "agent_turn" : i % 2 ? "chat gpt-4o-mini" : "retrieve_docs",
        kind: 1,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 5_000_000n).toString(),
        attributes: [
          { key: "gen_ai.system", value: str("openai") },
          { key: "gen_ai.operation.name", value: str(isRoot ? "invoke_agent" : "chat") },
          { key: "gen_ai.request.model", value: str("gpt-4o-mini") },
          { key: "gen_ai.request.temperature", value: { doubleValue: 0.2 } },
          { key: "gen_ai.request.max_tokens", value: int(512) },
          { key: "gen_ai.usage.input_tokens", value: int(100 + i) },
          { key: "gen_ai.usage.output_tokens", value: int(20 + i) },
          { key: "gen_ai.response.finish_reasons", value: { arrayValue: { values: [str("stop")] } } },
          { key: "mlflow.spanType", value: str(isRoot ? "AGENT" : "CHAT_MODEL") },
          { key: "mlflow.spanInputs", value: str(JSON.stringify({ messages: [{ role: "user", content: text(260) }] })) },
          { key: "mlflow.spanOutputs", value: str(JSON.stringify({ choices: [{ message: { role: "assistant", content: text(240) } }] })) },
        ],
        status: { code: 1 },
      });
    }
  }
  const bytes = Buffer.from(encodeExportRequest({ resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: str("bench") }] }, scopeSpans: [{ scope: { name: "bench" }, spans }] }] }));
  return { bytes, traceIds };
}

/** Byte offsets of every occurrence of each id, so requests can get fresh ids by patching a copy. */
function idOffsets(bytes: Buffer, ids: Buffer[]): number[][] {
  return ids.map((id) => {
    const out: number[] = [];
    for (let at = bytes.indexOf(id); at >= 0; at = bytes.indexOf(id, at + 1)) out.push(at);
    return out;
  });
}

function withFreshIds(template: Buffer, offsets: number[][]): Buffer {
  const b = Buffer.from(template);
  for (const group of offsets) {
    const id = randomBytes(16);
    for (const at of group) id.copy(b, at);
  }
  return b;
}

/** Python-client shape: one span, no resource/scope, kvlist inputs, int token usage. */
function buildSingleSpanTemplates(): { bytes: Buffer; traceAt: number; spanAt: number; parentAt: number }[] {
  const traceId = Buffer.alloc(16, 0xaa);
  const rootId = Buffer.alloc(8, 0xbb);
  const childId = Buffer.alloc(8, 0xcc);
  const out = [];
  for (let i = 0; i < 6; i++) {
    const isRoot = i === 5;
    const start = BigInt(Date.now()) * 1_000_000n + BigInt(i * 1000);
    const bytes = Buffer.from(
      encodeExportRequest({
        resourceSpans: [{ scopeSpans: [{ spans: [{
          traceId,
          spanId: isRoot ? rootId : childId,
          parentSpanId: isRoot ? undefined : rootId,
          name: isRoot ? "agent_turn" : ["plan", "retrieve_docs", "calculator", "generate_answer", "format_output"][i],
          startTimeUnixNano: start.toString(),
          endTimeUnixNano: (start + 900_000n).toString(),
          attributes: [
            { key: "mlflow.traceRequestId", value: str("tr-" + traceId.toString("hex")) },
            { key: "mlflow.spanType", value: str(isRoot ? "AGENT" : i === 3 ? "CHAT_MODEL" : "TOOL") },
            { key: "mlflow.spanInputs", value: { kvlistValue: { values: [{ key: "question", value: str(text(200)) }, { key: "top_k", value: int(3) }] } } },
            { key: "mlflow.spanOutputs", value: { kvlistValue: { values: [{ key: "answer", value: str(text(300)) }] } } },
            { key: "mlflow.chat.tokenUsage", value: { kvlistValue: { values: [{ key: "input_tokens", value: int(42) }, { key: "output_tokens", value: int(12) }, { key: "total_tokens", value: int(54) }] } } },
            { key: "mlflow.spanFunctionName", value: str("step_" + i) },
          ],
          status: { code: 1 },
        }] }] }],
      }),
    );
    const traceAt = bytes.indexOf(traceId);
    const spanAt = bytes.indexOf(isRoot ? rootId : childId);
    const parentAt = isRoot ? -1 : bytes.indexOf(rootId);
    // the trace id also appears as hex text in mlflow.traceRequestId: patched separately below
    out.push({ bytes, traceAt, spanAt, parentAt });
  }
  return out;
}

// ------------------------------------------------------------------ HTTP load

interface LoadResult {
  requests: number;
  seconds: number;
  latenciesMs: number[];
  errors: number;
  firstError?: string;
}

function post(agent: http.Agent, url: URL, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, hostname: url.hostname, port: url.port, path: "/v1/traces", method: "POST", headers: { ...headers, "content-length": String(body.length) } },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function runLoad(url: URL, concurrency: number, seconds: number, nextBody: (sender: number) => Buffer, headers: Record<string, string>): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const res: LoadResult = { requests: 0, seconds, latenciesMs: [], errors: 0 };
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, sender) => {
      while (performance.now() < end) {
        const body = nextBody(sender);
        const t0 = performance.now();
        try {
          const status = await post(agent, url, body, headers);
          if (status !== 200) {
            res.errors++;
            res.firstError ??= `HTTP ${status}`;
          }
        } catch (err) {
          res.errors++;
          res.firstError ??= (err as Error).message;
        }
        res.latenciesMs.push(performance.now() - t0);
        res.requests++;
      }
    }),
  );
  res.seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return res;
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// ------------------------------------------------------------------ server process RSS

function childServerPid(): number | undefined {
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${d}/cmdline`, "utf8").includes("flowtrace.mjs")) return Number(d);
    } catch {
      /* process gone */
    }
  }
  return undefined;
}

function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function sampleMaxRss(pid: number | undefined): { stop(): number } {
  let max = 0;
  const timer = setInterval(() => (max = Math.max(max, rssMb(pid) || 0)), 200);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, rssMb(pid) || 0);
    },
  };
}

// ------------------------------------------------------------------ raw COPY ceiling

async function copyCeiling(databaseUrl: string, experimentId: string, template: Buffer, traceIds: Buffer[], seconds: number): Promise<number> {
  const spans = decodeOtlpTraces(template, "application/x-protobuf").spans;
  const rows = spanCopyRows(experimentId, spans);
  // split at the trace ids so each COPY gets fresh ids by concatenation
  const ids = traceIds.map((b) => "tr-" + b.toString("hex"));
  const parts: string[] = [];
  const which: number[] = [];
  const re = new RegExp(ids.join("|"), "g");
  let last = 0;
  for (const m of rows.matchAll(re)) {
    parts.push(rows.slice(last, m.index));
    which.push(ids.indexOf(m[0]));
    last = m.index! + m[0].length;
  }
  parts.push(rows.slice(last));
  const fresh = () => {
    const newIds = ids.map(() => "tr-" + randomBytes(16).toString("hex"));
    let s = parts[0];
    for (let i = 1; i < parts.length; i++) s += newIds[which[i - 1]] + parts[i];
    return s;
  };
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  let copied = 0;
  const run = async (untilMs: number, count: boolean) => {
    const client = await pool.connect();
    try {
      while (performance.now() < untilMs) {
        const text = fresh();
        await client.query("BEGIN");
        await copySpans(client, text);
        await client.query("COMMIT");
        if (count) copied += spans.length;
      }
    } finally {
      client.release();
    }
  };
  const warmEnd = performance.now() + WARMUP_SECONDS * 1000;
  await Promise.all([run(warmEnd, false), run(warmEnd, false)]);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all([run(end, true), run(end, true)]);
  const rate = copied / ((performance.now() - t0) / 1000);
  await pool.query("TRUNCATE spans");
  await pool.query("CHECKPOINT");
  await pool.end();
  return rate;
}

// ------------------------------------------------------------------ main

async function main() {
  const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(`bench:otlp  ${os.cpus().length} CPUs, node ${process.version}, ${SECONDS}s per phase (+${WARMUP_SECONDS}s warm-up)`);
  await withBenchDatabase("otlp", { migrate: true }, async ({ dbUrl, startServer }) => {
    try {
      if (process.env.BENCH_VERBOSE) console.log(`database: ${dbUrl}`);
      const admin = new pg.Client({ connectionString: dbUrl });
      await admin.connect();
      const experimentId = await createBenchExperiment(admin, "bench-otlp");

      const batch = buildBatch();
      const offsets = idOffsets(batch.bytes, batch.traceIds);
      console.log(`batch: ${SPANS_PER_BATCH} spans, ${fmt(batch.bytes.length)} bytes protobuf (${fmt(batch.bytes.length / SPANS_PER_BATCH)} B/span)`);

      const only = process.env.BENCH_ONLY ?? "";
      const ceiling = only === "single" ? NaN : await copyCeiling(dbUrl, experimentId, batch.bytes, batch.traceIds, Math.min(SECONDS, 10));
      console.log(`copy_ceiling_rows_per_s: ${fmt(ceiling)}  (same rows, COPY per 512 rows, 2 connections)`);

      const server = await startServer([], { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS ?? "" });
      const url = new URL(server.url);
      const pid = childServerPid();
      const headers = { "content-type": "application/x-protobuf", "x-mlflow-experiment-id": experimentId };

      let ratio = NaN;
      for (const concurrency of only === "single" ? [] : [4, 8]) {
        await runLoad(url, concurrency, WARMUP_SECONDS, () => withFreshIds(batch.bytes, offsets), headers);
        const rss = sampleMaxRss(pid);
        const r = await runLoad(url, concurrency, SECONDS, () => withFreshIds(batch.bytes, offsets), headers);
        const maxRss = rss.stop();
        const lat = r.latenciesMs.sort((a, b) => a - b);
        const spansPerS = ((r.requests - r.errors) * SPANS_PER_BATCH) / r.seconds;
        if (concurrency === 4) ratio = spansPerS / ceiling;
        console.log(
          `batches_512 senders=${concurrency}: spans_per_s: ${fmt(spansPerS)}  requests: ${r.requests}  errors: ${r.errors}${r.firstError ? ` (${r.firstError})` : ""}  ` +
            `p50_ms: ${fmt(pct(lat, 50), 1)}  p99_ms: ${fmt(pct(lat, 99), 1)}  server_rss_mb: ${fmt(rssMb(pid))} (max ${fmt(maxRss)})`,
        );
      }
      const stored = await admin.query<{ n: string }>("SELECT count(*) AS n FROM spans");
      console.log(`spans stored: ${fmt(Number(stored.rows[0].n))}`);
      if (only !== "single") console.log(`ratio_to_copy_ceiling: ${ratio.toFixed(2)}`);

      // Python client pattern: one span per request, six requests per trace, root last
      if (only === "batches") return void (await admin.end());
      const templates = buildSingleSpanTemplates();
      const state = Array.from({ length: 8 }, () => ({ step: 0, traceId: randomBytes(16), rootId: randomBytes(8) }));
      const nextSingle = (sender: number) => {
        const s = state[sender];
        if (s.step === templates.length) {
          s.step = 0;
          s.traceId = randomBytes(16);
          s.rootId = randomBytes(8);
        }
        const t = templates[s.step++];
        const b = Buffer.from(t.bytes);
        s.traceId.copy(b, t.traceAt);
        const hexAt = b.indexOf("tr-" + "aa".repeat(16));
        if (hexAt >= 0) b.write("tr-" + s.traceId.toString("hex"), hexAt, "latin1");
        if (t.parentAt >= 0) {
          s.rootId.copy(b, t.parentAt);
          randomBytes(8).copy(b, t.spanAt);
        } else {
          s.rootId.copy(b, t.spanAt);
        }
        return b;
      };
      await runLoad(url, 8, WARMUP_SECONDS, nextSingle, headers);
      const single = await runLoad(url, 8, SECONDS, nextSingle, headers);
      const lat = single.latenciesMs.sort((a, b) => a - b);
      console.log(
        `single_span senders=8: requests_per_s: ${fmt((single.requests - single.errors) / single.seconds)}  errors: ${single.errors}${single.firstError ? ` (${single.firstError})` : ""}  ` +
          `p50_ms: ${fmt(pct(lat, 50), 2)}  p99_ms: ${fmt(pct(lat, 99), 2)}  server_rss_mb: ${fmt(rssMb(pid))}`,
      );
      const traces = await admin.query<{ n: string; done: string }>("SELECT count(*) AS n, count(*) FILTER (WHERE state = 'OK') AS done FROM traces");
      console.log(`traces stored: ${fmt(Number(traces.rows[0].n))} (${fmt(Number(traces.rows[0].done))} final)`);
      await admin.end();
    } finally {
      await closeDb().catch(() => {});
    }
  });
}

runBench(main);
