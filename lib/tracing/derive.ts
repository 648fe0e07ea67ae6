// The derivation step: from what a span carries to what an MLflow client would have set (spec §4.3 step 6,
// §9.6). The conventions (lib/conventions, one ordered list) fill span type, inputs, outputs, token usage,
// model and provider; an MLflow key that is already present is never overwritten, so spans from the MLflow
// SDKs pass through unchanged. Also the trace-level rules: previews (§3.5, lib/chat/preview.ts), session and
// user (§8), trace tags.
import { firstOf, firstString, MODEL_KEYS, PROVIDER_KEYS, SESSION_KEYS, USER_KEYS } from "../conventions/conventions";
import { has, jsonish, type Attrs } from "../conventions/attrs";
import type { TokenUsage } from "../conventions/Convention";
import { COST_SOURCE_ATTR, costValue, spanCost } from "../cost/spanCost";
import { bestPreviews, previewCandidate, type PreviewCandidate, type TracePreviews } from "../chat/preview";
import type { NormalizedSpan } from "./model";

export { bestPreviewCandidates, bestPreviews, previewOf, PREVIEW_MAX, truncatePreview, type PreviewCandidate, type TracePreviews } from "../chat/preview";
export type { TokenUsage };

export const ATTR = {
  spanType: "mlflow.spanType",
  inputs: "mlflow.spanInputs",
  outputs: "mlflow.spanOutputs",
  tokenUsage: "mlflow.chat.tokenUsage",
  cost: "mlflow.llm.cost",
  model: "mlflow.llm.model",
  provider: "mlflow.llm.provider",
  messageFormat: "mlflow.message.format",
  traceRequestId: "mlflow.traceRequestId",
  experimentId: "mlflow.experimentId",
  traceTagPrefix: "mlflow.traceTag.",
} as const;

export function deriveSpanType(a: Attrs): string | undefined {
  return firstOf((c) => c.spanType?.(a));
}

export function deriveTokenUsage(a: Attrs): TokenUsage | undefined {
  return firstOf((c) => c.tokenUsage?.(a));
}

/**
 * Fills the MLflow keys a convention can supply, in place. Idempotent: once a key is set it is never
 * overwritten, so deriving twice (OTLP, then traces.json of the same span) gives the same attributes.
 */
export function deriveSpan(span: NormalizedSpan): NormalizedSpan {
  const a = span.attributes;
  if (!has(a, ATTR.spanType)) {
    const t = deriveSpanType(a);
    if (t) a[ATTR.spanType] = t;
  }
  if (!has(a, ATTR.inputs)) {
    const v = firstOf((c) => c.inputs?.(a, span.events));
    if (v !== undefined) a[ATTR.inputs] = v;
  }
  if (!has(a, ATTR.outputs)) {
    const v = firstOf((c) => c.outputs?.(a, span.events));
    if (v !== undefined) a[ATTR.outputs] = v;
  }
  if (!has(a, ATTR.tokenUsage)) {
    const u = deriveTokenUsage(a);
    if (u) a[ATTR.tokenUsage] = u;
  } else if (typeof a[ATTR.tokenUsage] === "string") {
    a[ATTR.tokenUsage] = jsonish(a[ATTR.tokenUsage]);
  }
  if (!has(a, ATTR.model)) {
    const m = firstString(a, MODEL_KEYS);
    if (m) a[ATTR.model] = m;
  }
  if (!has(a, ATTR.provider)) {
    const p = firstString(a, PROVIDER_KEYS);
    if (p) a[ATTR.provider] = p;
  }
  // only spans with usage and a model reach the price lookup; a cost the client sent is never replaced
  const usage = a[ATTR.tokenUsage];
  const model = a[ATTR.model];
  if (usage !== undefined && typeof model === "string" && !has(a, ATTR.cost)) {
    const provider = a[ATTR.provider];
    const c = spanCost(model, typeof provider === "string" ? provider : undefined, usage);
    if (c) {
      a[ATTR.cost] = costValue(c);
      a[COST_SOURCE_ATTR] = c.source;
    }
  }
  return span;
}

// ---------------------------------------------------------------- trace level

export function sessionOf(a: Attrs): string | undefined {
  return firstString(a, SESSION_KEYS, true);
}

export function userOf(a: Attrs): string | undefined {
  return firstString(a, USER_KEYS, true);
}

/**
 * What a derived span offers for its trace's previews: the root's own inputs/outputs (rank 0), else a model
 * call's messages (rank 1); null for other spans. The write step keeps the best candidate per trace
 * (bestPreviews), across batches too, since the root often arrives after its children.
 */
export function previewCandidateOf(span: NormalizedSpan): PreviewCandidate | null {
  const a = span.attributes;
  const type = a[ATTR.spanType];
  return previewCandidate({ parentSpanId: span.parentSpanId, spanType: typeof type === "string" ? type : null, startTimeNs: span.startTimeNs, inputs: a[ATTR.inputs], outputs: a[ATTR.outputs] });
}

/** The previews of a trace whose (derived) spans are all at hand. */
export function tracePreviewsOf(spans: readonly NormalizedSpan[]): TracePreviews {
  return bestPreviews(spans.map(previewCandidateOf));
}

/** `mlflow.traceTag.<k>` span attributes → trace tags (values as strings). */
export function traceTagsOf(a: Attrs, into: Record<string, string>): void {
  for (const k in a) {
    if (!k.startsWith(ATTR.traceTagPrefix)) continue;
    const key = k.slice(ATTR.traceTagPrefix.length);
    if (!key) continue;
    const v = a[k];
    into[key] = typeof v === "string" ? v : JSON.stringify(v);
  }
}
