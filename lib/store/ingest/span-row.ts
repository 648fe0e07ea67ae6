// The span row (other modules read `spans` directly; keep its format):
//   trace_id        "tr-" + 32 hex          span_id / parent_span_id   16 hex (parent NULL for a root)
//   experiment_id   the experiment of the request that wrote it
//   name            span name               span_type    decoded mlflow.spanType, or the §9.6-derived type,
//                                                        or "UNKNOWN"
//   start_time_ns / end_time_ns   epoch ns (end NULL while the span runs)
//   status_code     OK | ERROR | UNSET      status_message  text or NULL
//   attributes      jsonb object: every attribute except mlflow.spanInputs / mlflow.spanOutputs, values
//                   decoded ("try JSON.parse, else raw"), plus the keys derivation filled in
//                   (mlflow.spanType, mlflow.chat.tokenUsage as an object, mlflow.llm.model, …)
//   inputs / outputs  JSON text of the decoded mlflow.spanInputs / mlflow.spanOutputs value (or of what
//                   derivation took from a convention), NULL when absent
//   events          jsonb [{"name", "time_unix_nano": "<decimal string>", "attributes": {…}}]
import { ATTR } from "../../tracing/derive";
import type { NormalizedSpan } from "../../tracing/model";
import { attributesJson, jsonText, safeJson, safeJsonText, stripNul } from "./json-text";
import { columnList, copyLineOf, type RowSpec } from "./row-spec";

/** A span row's values as sent to PostgreSQL (null is SQL NULL; bigints as decimal text). */
export interface SpanRow {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  experimentId: string;
  name: string;
  spanType: string;
  startTimeNs: string;
  endTimeNs: string | null;
  statusCode: string;
  statusMessage: string | null;
  attributes: string;
  inputs: string | null;
  outputs: string | null;
  events: string;
}

/** The `spans` table's columns, in its order (COPY), which is also flowtrace_insert_spans's parameter order. */
export const SPAN_ROW: RowSpec<SpanRow> = {
  traceId: { column: "trace_id", pgType: "text" },
  spanId: { column: "span_id", pgType: "text" },
  parentSpanId: { column: "parent_span_id", pgType: "text" },
  experimentId: { column: "experiment_id", pgType: "bigint" },
  name: { column: "name", pgType: "text" },
  spanType: { column: "span_type", pgType: "text" },
  startTimeNs: { column: "start_time_ns", pgType: "bigint" },
  endTimeNs: { column: "end_time_ns", pgType: "bigint" },
  statusCode: { column: "status_code", pgType: "text" },
  statusMessage: { column: "status_message", pgType: "text" },
  attributes: { column: "attributes", pgType: "jsonb" },
  inputs: { column: "inputs", pgType: "text" },
  outputs: { column: "outputs", pgType: "text" },
  events: { column: "events", pgType: "jsonb" },
};

export const SPAN_COLUMNS = columnList(SPAN_ROW);

/** The row of a span (derivation already applied). */
export function spanRowOf(experimentId: string, s: NormalizedSpan): SpanRow {
  const a = s.attributes;
  const inputs = a[ATTR.inputs];
  const outputs = a[ATTR.outputs];
  // JSON.stringify skips undefined members: cheaper than copying the object without the two keys.
  if (inputs !== undefined) a[ATTR.inputs] = undefined;
  if (outputs !== undefined) a[ATTR.outputs] = undefined;
  const attributes = safeJsonText(attributesJson(a));
  if (inputs !== undefined) a[ATTR.inputs] = inputs;
  if (outputs !== undefined) a[ATTR.outputs] = outputs;
  const type = a[ATTR.spanType];
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    experimentId,
    name: stripNul(s.name),
    spanType: typeof type === "string" && type !== "" ? stripNul(type) : "UNKNOWN",
    startTimeNs: s.startTimeNs.toString(),
    endTimeNs: s.endTimeNs === null ? null : s.endTimeNs.toString(),
    statusCode: s.status.code,
    statusMessage: s.status.message ? stripNul(s.status.message) : null,
    attributes,
    inputs: inputs === undefined ? null : stripNul(jsonText(inputs)),
    outputs: outputs === undefined ? null : stripNul(jsonText(outputs)),
    events: s.events.length ? safeJson(s.events.map((e) => ({ name: e.name, time_unix_nano: e.timeNs.toString(), attributes: e.attributes }))) : "[]",
  };
}

const spanLine = copyLineOf(SPAN_ROW);

/** One COPY text line of a span. */
export const spanCopyLine = (experimentId: string, s: NormalizedSpan) => spanLine(spanRowOf(experimentId, s));
