// Helpers for the MLflow REST integration tests: experiments and traces made through the API, span
// documents in the TypeScript SDK's traces.json form, lossless HTTP, and the replay of recorded client
// sessions (../shared/fixtures/wire) into a test's own experiment with fresh trace ids.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { baseUrl, http, uniqueName } from "./http";
import { parseJson, stringifyJson } from "../mlflow/json";
import { WIRE_FIXTURES_DIR } from "./fixtures";

export const WIRE_FIXTURES = WIRE_FIXTURES_DIR;

let pool: pg.Pool | undefined;
export function testDb(): pg.Pool {
  if (!pool) {
    if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL is not set: run integration tests through `npm test`");
    pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  }
  return pool;
}
export async function closeTestDb(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

export async function newExperiment(prefix = "exp"): Promise<string> {
  const r = await http("POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName(prefix) });
  if (r.status !== 200) throw new Error(`create experiment: ${r.status} ${r.text}`);
  return r.json.experiment_id as string;
}

export const randomHex = (bytes: number) => randomBytes(bytes).toString("hex");
export const randomTraceId = () => "tr-" + randomHex(16);

/** HTTP with a lossless JSON body both ways (bigint in, bigint out). */
/** A response's text and its JSON read losslessly (int64 stays exact); undefined JSON when it is not JSON. */
async function losslessBody(res: Response): Promise<{ text: string; json: any }> {
  const text = await res.text();
  try {
    return { text, json: text ? parseJson(text) : undefined };
  } catch {
    return { text, json: undefined };
  }
}

export async function httpLossless(method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" || body instanceof Uint8Array ? (body as BodyInit) : stringifyJson(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const res = await fetch(baseUrl() + p, init);
  return { status: res.status, headers: res.headers, ...(await losslessBody(res)) };
}

export interface TraceOptions {
  state?: string;
  requestTimeMs?: number;
  durationMs?: number;
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  requestPreview?: string;
  responsePreview?: string;
  assessments?: unknown[];
}

export function startTraceBody(experimentId: string, traceId: string, o: TraceOptions = {}) {
  return {
    trace: {
      trace_info: {
        trace_id: traceId,
        trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
        request_preview: o.requestPreview ?? '{"question":"hi"}',
        response_preview: o.responsePreview ?? '"hello"',
        request_time: new Date(o.requestTimeMs ?? Date.now()).toISOString(),
        execution_duration: `${(o.durationMs ?? 1537) / 1000}s`,
        state: o.state ?? "OK",
        trace_metadata: { "mlflow.trace_schema.version": "3", ...(o.metadata ?? {}) },
        tags: o.tags ?? {},
        assessments: o.assessments ?? [],
      },
    },
  };
}

export interface DocSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  type: string;
  startNs: bigint;
  endNs: bigint;
  error?: boolean;
  /** more span attributes (token usage, model, cost) */
  attributes?: Record<string, unknown>;
}

/** n spans: a root AGENT span and n-1 children, start times 1 ms apart, exact ns values. */
export function makeSpans(n: number, startMs = Date.now()): DocSpan[] {
  const root = randomHex(8);
  const base = BigInt(startMs) * 1_000_000n + 123n;
  return Array.from({ length: n }, (_, i) => ({
    spanId: i === 0 ? root : randomHex(8),
    parentSpanId: i === 0 ? null : root,
    name: i === 0 ? "agent" : `step_${i}`,
    type: i === 0 ? "AGENT" : i % 2 ? "LLM" : "TOOL",
    startNs: base + BigInt(i) * 1_000_000n,
    endNs: base + BigInt(n + 10) * 1_000_000n - BigInt(i),
    error: false,
  }));
}

/** traces.json as the TypeScript SDK writes it (format A, base64 ids, decoded attribute values). */
export function traceDoc(traceId: string, spans: DocSpan[]): string {
  const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");
  return stringifyJson({
    spans: spans.map((s) => ({
      trace_id: b64(traceId.slice(3)),
      span_id: b64(s.spanId),
      parent_span_id: s.parentSpanId ? b64(s.parentSpanId) : "",
      name: s.name,
      start_time_unix_nano: s.startNs,
      end_time_unix_nano: s.endNs,
      attributes: {
        "mlflow.traceRequestId": traceId,
        "mlflow.spanType": s.type,
        "mlflow.spanInputs": { question: `input of ${s.name}` },
        "mlflow.spanOutputs": `output of ${s.name}`,
        ...s.attributes,
      },
      status: { code: s.error ? "STATUS_CODE_ERROR" : "STATUS_CODE_OK", message: s.error ? "boom" : "" },
      events: [],
    })),
  });
}

/** A finished trace sent the TS-SDK way: StartTraceV3, then the traces.json upload. */
export async function sendTrace(experimentId: string, traceId: string, spans: DocSpan[], o: TraceOptions = {}) {
  const start = await httpLossless("POST", "/api/3.0/mlflow/traces", startTraceBody(experimentId, traceId, o));
  if (start.status !== 200) throw new Error(`StartTraceV3: ${start.status} ${start.text}`);
  const put = await httpLossless("PUT", `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/traces/${traceId}/artifacts/traces.json`, traceDoc(traceId, spans));
  if (put.status !== 200) throw new Error(`traces.json: ${put.status} ${put.text}`);
  return start.json;
}

// ---------- wire fixture replay ----------

export interface WireLine {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body_encoding: string;
  body_text?: string;
  body_base64?: string;
  response: { status: number; body_json?: unknown };
}

export function loadWire(name: string): WireLine[] {
  return readFileSync(path.join(WIRE_FIXTURES, name), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as WireLine);
}

/** Every `tr-<32 hex>` id in the file, in order of first appearance. */
export function traceIdsOf(lines: WireLine[]): string[] {
  const ids = new Set<string>();
  for (const l of lines) {
    const hay = [l.path, JSON.stringify(l.query), l.body_text ?? ""].join(" ");
    for (const m of hay.matchAll(/tr-([0-9a-f]{32})/g)) ids.add(m[1]);
    // OTLP bodies carry the bare OTel id (hex in OTLP/JSON and in the decoded protobuf of the capture)
    const otlp = (l.body_text ?? "") + JSON.stringify((l as { body_otlp?: unknown }).body_otlp ?? null);
    for (const m of otlp.matchAll(/"trace_?[iI]d"\s*:\s*"([0-9a-fA-F]{32})"/g)) ids.add(m[1].toLowerCase());
  }
  return [...ids];
}

function replaceBytes(buf: Buffer, from: Buffer, to: Buffer): void {
  let i = buf.indexOf(from);
  while (i >= 0) {
    to.copy(buf, i);
    i = buf.indexOf(from, i + from.length);
  }
}

export interface Replay {
  experimentId: string;
  /** recorded hex trace id → the hex id used in this replay */
  idMap: Map<string, string>;
  responses: { line: WireLine; status: number; text: string; json: any }[];
}

/**
 * Sends every request of a capture, in order, with its exact body and content type, after rewriting the
 * experiment id (and the experiment name of set_experiment) and giving each trace a fresh id, so replays
 * never collide with other tests in the shared database. Protobuf bodies are rewritten byte for byte
 * (ids have fixed lengths), so they stay valid.
 */
export async function replayWire(name: string, experimentId: string | null, opts: { experimentName?: string } = {}): Promise<Replay> {
  const lines = loadWire(name);
  const idMap = new Map(traceIdsOf(lines).map((h) => [h, randomHex(16)]));
  let exp = experimentId;
  const responses: Replay["responses"] = [];
  for (const line of lines) {
    const rewrite = (s: string) => {
      for (const [from, to] of idMap) s = s.split(from).join(to);
      if (opts.experimentName) s = s.split("scenario-p-python").join(opts.experimentName);
      return s;
    };
    const recordedExp = "1";
    let p = rewrite(line.path);
    if (exp) p = p.replace(`/mlflow-artifacts/artifacts/${recordedExp}/`, `/mlflow-artifacts/artifacts/${exp}/`);
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(line.query ?? {})) {
      for (const one of Array.isArray(v) ? v : [v]) qs.append(k, k === "experiment_id" && exp ? exp : rewrite(one));
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(line.headers)) {
      if (["host", "content-length", "transfer-encoding", "connection", "accept-encoding"].includes(k)) continue;
      headers[k] = k === "x-mlflow-experiment-id" && exp ? exp : v;
    }
    let body: BodyInit | undefined;
    if (line.body_encoding === "json" || line.body_encoding === "text") {
      let text = rewrite(line.body_text ?? "");
      if (exp) text = text.replace(/("experiment_id"\s*:\s*)"1"/g, `$1"${exp}"`);
      body = text;
    } else if (line.body_base64) {
      const buf = Buffer.from(line.body_base64, "base64");
      for (const [from, to] of idMap) {
        replaceBytes(buf, Buffer.from(from, "hex"), Buffer.from(to, "hex"));
        replaceBytes(buf, Buffer.from(from, "latin1"), Buffer.from(to, "latin1"));
      }
      body = new Uint8Array(buf);
    }
    const url = p + (qs.size ? `?${qs}` : "");
    const res = await fetch(baseUrl() + url, { method: line.method, headers, body });
    const { text, json } = await losslessBody(res);
    responses.push({ line, status: res.status, text, json });
    // the Python client learns its experiment id from create
    if (!exp && line.path.endsWith("/experiments/create") && json?.experiment_id) exp = String(json.experiment_id);
  }
  return { experimentId: exp ?? "", idMap, responses };
}

export { http, uniqueName };
