// What the span header shows of an LLM call (issue #16): model, tokens, cost and where the cost came from.
// Pure and import-light: the browser bundles it (lib/cost/spanCost.ts reads files, this must not).
import { jsonish, num, type Attrs } from "../conventions/attrs";

export interface SpanUsage {
  model: string | null;
  input: number | null;
  output: number | null;
  total: number | null;
  cacheRead: number | null;
  cost: number | null;
  /** a sentence for the cost's tooltip: the price table version, an override, or the client */
  costSource: string | null;
}

const obj = (v: unknown): Record<string, unknown> | null => {
  const o = jsonish(v);
  return o && typeof o === "object" && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
};

/** Where a cost came from, from the span's flowtrace.cost.source (absent: the client sent it). */
export function costSourceText(source: unknown): string {
  if (source === "override") return "priced by flowtrace from your price override";
  if (typeof source === "string" && source) return `priced by flowtrace from the price table ${source}`;
  return "sent by the client (mlflow.llm.cost)";
}

/** The span's derived usage attributes, or null when it carries neither a model, tokens nor a cost. */
export function spanUsageOf(a: Attrs): SpanUsage | null {
  const model = typeof a["mlflow.llm.model"] === "string" ? (a["mlflow.llm.model"] as string) : null;
  const u = obj(a["mlflow.chat.tokenUsage"]);
  const c = obj(a["mlflow.llm.cost"]);
  if (!model && !u && !c) return null;
  const cost = c ? num(c.total_cost) ?? null : null;
  return {
    model,
    input: u ? num(u.input_tokens) ?? null : null,
    output: u ? num(u.output_tokens) ?? null : null,
    total: u ? num(u.total_tokens) ?? null : null,
    cacheRead: u ? num(u.cache_read_input_tokens) ?? null : null,
    cost,
    costSource: cost === null ? null : costSourceText(a["flowtrace.cost.source"]),
  };
}
