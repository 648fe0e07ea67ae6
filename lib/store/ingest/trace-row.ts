// The trace rows of a span write, as flowtrace_upsert_traces (prisma/functions) takes them: one array
// parameter per field, in TRACE_ROW's order, then now_ms.
import { nullableText, safeJson } from "./json-text";
import { columnArrays, type RowSpec } from "./row-spec";
import type { TraceRollup } from "./trace-rollup";

export interface TraceRow {
  traceId: string;
  experimentId: string;
  startMs: string;
  endMs: string | null;
  state: string;
  rootSpanId: string | null;
  requestPreview: string | null;
  responsePreview: string | null;
  metadata: string;
  tags: string;
  spans: number;
  errors: number;
  tokenSpans: number;
  inputTokens: string | null;
  outputTokens: string | null;
  totalTokens: string | null;
  costSpans: number;
  inputCost: string | null;
  outputCost: string | null;
  totalCost: string | null;
  model: string | null;
  requestFallback: string | null;
  responseFallback: string | null;
}

/** flowtrace_upsert_traces's parameters (names as there), but the last (now_ms). */
export const TRACE_ROW: RowSpec<TraceRow> = {
  traceId: { column: "t_id", pgType: "text" },
  experimentId: { column: "t_exp", pgType: "bigint" },
  startMs: { column: "t_start", pgType: "bigint" },
  endMs: { column: "t_end", pgType: "bigint" },
  state: { column: "t_state", pgType: "text" },
  rootSpanId: { column: "t_root", pgType: "text" },
  requestPreview: { column: "t_request", pgType: "text" },
  responsePreview: { column: "t_response", pgType: "text" },
  metadata: { column: "t_meta", pgType: "jsonb" },
  tags: { column: "t_tags", pgType: "jsonb" },
  spans: { column: "t_spans", pgType: "int" },
  errors: { column: "t_errors", pgType: "int" },
  tokenSpans: { column: "t_token_spans", pgType: "int" },
  inputTokens: { column: "t_input_tokens", pgType: "numeric" },
  outputTokens: { column: "t_output_tokens", pgType: "numeric" },
  totalTokens: { column: "t_total_tokens", pgType: "numeric" },
  costSpans: { column: "t_cost_spans", pgType: "int" },
  inputCost: { column: "t_input_cost", pgType: "numeric" },
  outputCost: { column: "t_output_cost", pgType: "numeric" },
  totalCost: { column: "t_total_cost", pgType: "numeric" },
  model: { column: "t_model", pgType: "text" },
  requestFallback: { column: "t_request_fallback", pgType: "text" },
  responseFallback: { column: "t_response_fallback", pgType: "text" },
};

const nsToMs = (ns: bigint) => ns / 1_000_000n;

export function traceRowOf(t: TraceRollup): TraceRow {
  return {
    traceId: t.traceId,
    experimentId: t.experimentId,
    startMs: nsToMs(t.minStartNs).toString(),
    endMs: t.maxEndNs === null ? null : nsToMs(t.maxEndNs).toString(),
    state: t.state,
    rootSpanId: t.root ? t.root.spanId : null,
    requestPreview: nullableText(t.requestPreview),
    responsePreview: nullableText(t.responsePreview),
    metadata: safeJson(t.metadata),
    tags: safeJson(t.tags),
    spans: t.spans.length,
    errors: t.errors,
    tokenSpans: t.tokenSpans,
    inputTokens: t.tokens.input,
    outputTokens: t.tokens.output,
    totalTokens: t.tokens.total,
    costSpans: t.costSpans,
    inputCost: t.costs.input,
    outputCost: t.costs.output,
    totalCost: t.costs.total,
    model: nullableText(t.model),
    requestFallback: nullableText(t.requestFallback),
    responseFallback: nullableText(t.responseFallback),
  };
}

/** The trace rows' parameters of flowtrace_upsert_traces, now_ms left out. */
export const traceRowArrays = (rows: readonly TraceRow[]) => columnArrays(TRACE_ROW, rows);
