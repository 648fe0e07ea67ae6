// The trace-level half of derivation, in one place: spans (already derived one by one) grouped by trace, and
// per trace what its row takes from them — state, root, time range, previews, name, tags, session and user,
// span and error counts, token and cost totals, the LLM model. For a trace new to the database these are its figures; for
// one already stored, flowtrace_upsert_traces (prisma/functions) merges them with the stored row and recounts
// the span figures from all its span rows (what makes repeated and out-of-order delivery converge).
import { ATTR, bestPreviewCandidates, previewCandidateOf, previewOf, sessionOf, traceTagsOf, userOf } from "../../tracing/derive";
import type { NormalizedSpan, TraceState } from "../../tracing/model";
import { decimalSum } from "./decimal-sum";

export const TRACE_NAME_TAG = "mlflow.traceName";
export const SESSION_METADATA = "mlflow.trace.session";
export const USER_METADATA = "mlflow.trace.user";

export interface TraceRollup {
  traceId: string;
  /** the experiment of the first request that named this trace in the write */
  experimentId: string;
  /** the trace's spans in this write, each span once (the last copy sent) */
  spans: NormalizedSpan[];
  root: NormalizedSpan | null;
  state: TraceState;
  minStartNs: bigint;
  maxEndNs: bigint | null;
  /** the root span's own previews: they replace stored ones */
  requestPreview: string | null;
  responsePreview: string | null;
  /** a model call's messages, for a trace whose root has none (the OpenTelemetry GenAI shape): they only
   *  fill an empty preview (lib/chat/preview.ts, the one preview rule) */
  requestFallback: string | null;
  responseFallback: string | null;
  tags: Record<string, string>;
  metadata: Record<string, string>;
  errors: number;
  /** spans carrying mlflow.chat.tokenUsage / mlflow.llm.cost, and the exact sums of their members */
  tokenSpans: number;
  tokens: { input: string | null; output: string | null; total: string | null };
  costSpans: number;
  costs: { input: string | null; output: string | null; total: string | null };
  /** the LLM model: that of the earliest-starting span naming one (mlflow.llm.model), ties by span id */
  model: string | null;
}

/** Requests naming one trace under two experiments are not written together: each is checked alone. */
export class MixedExperiments extends Error {}

/** Spans (derived) rolled up by trace, in trace-id order; a span sent twice in one write counts once (the last copy). */
export function rollUpTraces(jobs: readonly { expId: string; spans: NormalizedSpan[] }[]): TraceRollup[] {
  const byTrace = new Map<string, { experimentId: string; spans: NormalizedSpan[] }>();
  for (const job of jobs) {
    for (const s of job.spans) {
      let t = byTrace.get(s.traceId);
      if (t && t.experimentId !== job.expId) throw new MixedExperiments();
      if (!t) byTrace.set(s.traceId, (t = { experimentId: job.expId, spans: [] }));
      t.spans.push(s);
    }
  }
  const out: TraceRollup[] = [];
  for (const [traceId, t] of byTrace) out.push(rollUp(traceId, t.experimentId, lastCopies(t.spans)));
  return out.sort((a, b) => (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
}

/** A span re-sent within one write: the last copy wins, as it would across requests. */
function lastCopies(spans: NormalizedSpan[]): NormalizedSpan[] {
  if (spans.length < 2) return spans;
  const seen = new Map<string, NormalizedSpan>();
  for (const s of spans) seen.set(s.spanId, s);
  return seen.size === spans.length ? spans : [...seen.values()];
}

const TOKEN_KEYS = ["input_tokens", "output_tokens", "total_tokens"];
const COST_KEYS = ["input_cost", "output_cost", "total_cost"];

/**
 * For an attribute value present on a span (mlflow.chat.tokenUsage, mlflow.llm.cost): pushes its number
 * members `keys[i]` onto `into[i]` and answers true (the span counts, as `attributes ? key` does in SQL).
 */
function collectNumbers(v: unknown, keys: string[], into: number[][]): boolean {
  if (v === undefined) return false;
  if (v === null || typeof v !== "object" || Array.isArray(v)) return true;
  keys.forEach((k, i) => {
    const n = (v as Record<string, unknown>)[k];
    if (typeof n === "number" && Number.isFinite(n)) into[i].push(n);
  });
  return true;
}

// (the order flowtrace_upsert_traces picks the model of a stored trace in: start time, then span id)
const startsBefore = (a: NormalizedSpan, b: NormalizedSpan) => a.startTimeNs < b.startTimeNs || (a.startTimeNs === b.startTimeNs && a.spanId < b.spanId);

function rollUp(traceId: string, experimentId: string, spans: NormalizedSpan[]): TraceRollup {
  let root: NormalizedSpan | null = null;
  let minStartNs = spans[0].startTimeNs;
  let maxEndNs: bigint | null = null;
  let errors = 0;
  let tokenSpans = 0;
  let costSpans = 0;
  const tokens: number[][] = [[], [], []];
  const costs: number[][] = [[], [], []];
  const tags: Record<string, string> = {};
  let model: string | null = null;
  let modelSpan: NormalizedSpan | null = null;
  for (const s of spans) {
    if (s.parentSpanId === null) root = s;
    if (s.startTimeNs < minStartNs) minStartNs = s.startTimeNs;
    if (s.endTimeNs !== null && (maxEndNs === null || s.endTimeNs > maxEndNs)) maxEndNs = s.endTimeNs;
    if (s.status.code === "ERROR") errors++;
    if (collectNumbers(s.attributes[ATTR.tokenUsage], TOKEN_KEYS, tokens)) tokenSpans++;
    if (collectNumbers(s.attributes[ATTR.cost], COST_KEYS, costs)) costSpans++;
    traceTagsOf(s.attributes, tags);
    const m = s.attributes[ATTR.model];
    if (typeof m === "string" && m !== "" && (modelSpan === null || startsBefore(s, modelSpan))) {
      model = m;
      modelSpan = s;
    }
  }
  // session and user: the root span decides; children (OpenInference puts session.id on every span) fill in
  const metadata: Record<string, string> = {};
  for (const s of root ? [root, ...spans] : spans) {
    if (!metadata[SESSION_METADATA]) {
      const v = sessionOf(s.attributes);
      if (v) metadata[SESSION_METADATA] = v;
    }
    if (!metadata[USER_METADATA]) {
      const v = userOf(s.attributes);
      if (v) metadata[USER_METADATA] = v;
    }
  }
  if (root) tags[TRACE_NAME_TAG] = root.name;
  return {
    traceId,
    experimentId,
    spans,
    root,
    state: root ? (root.status.code === "ERROR" ? "ERROR" : "OK") : "IN_PROGRESS",
    minStartNs,
    maxEndNs,
    ...previewsOf(root, spans),
    tags,
    metadata,
    errors,
    tokenSpans,
    tokens: { input: decimalSum(tokens[0]), output: decimalSum(tokens[1]), total: decimalSum(tokens[2]) },
    costSpans,
    costs: { input: decimalSum(costs[0]), output: decimalSum(costs[1]), total: decimalSum(costs[2]) },
    model,
  };
}

export function spanCountOf(traces: readonly TraceRollup[]): number {
  let n = 0;
  for (const t of traces) n += t.spans.length;
  return n;
}

/**
 * The root's own previews, and when it has none, the model calls' (the rank-1 candidates of the one preview
 * rule). Model-call messages are read only when the root of this write has no preview (or is not in it):
 * they are the largest payloads of a trace, and most traces have a root with inputs.
 */
function previewsOf(root: NormalizedSpan | null, spans: readonly NormalizedSpan[]) {
  const requestPreview = root ? previewOf(root.attributes[ATTR.inputs], "user") : null;
  const responsePreview = root ? previewOf(root.attributes[ATTR.outputs], "assistant") : null;
  if (requestPreview !== null && responsePreview !== null) return { requestPreview, responsePreview, requestFallback: null, responseFallback: null };
  const best = bestPreviewCandidates(spans.map((s) => (s === root ? null : previewCandidateOf(s))));
  return {
    requestPreview,
    responsePreview,
    requestFallback: requestPreview === null ? (best.request?.request ?? null) : null,
    responseFallback: responsePreview === null ? (best.response?.response ?? null) : null,
  };
}
