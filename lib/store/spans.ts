// The trace store's span read side: span rows (format documented in ingest/span-row.ts) back to the span model, so
// traces/get, batchGet and traces.json are all served from the same rows.
import { getPool } from "../db";
import { ATTR } from "../tracing/derive";
import type { NormalizedSpan, SpanStatusCode } from "../tracing/model";

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  span_type: string | null;
  start_time_ns: string;
  end_time_ns: string | null;
  status_code: string;
  status_message: string | null;
  attributes: Record<string, unknown>;
  inputs: string | null;
  outputs: string | null;
  events: { name: string; time_unix_nano: string | number; attributes?: Record<string, unknown> }[];
}

function parseJsonText(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function spanFromRow(r: SpanRow): NormalizedSpan {
  const attributes: Record<string, unknown> = { ...(r.attributes ?? {}) };
  if (r.inputs !== null) attributes[ATTR.inputs] = parseJsonText(r.inputs);
  if (r.outputs !== null) attributes[ATTR.outputs] = parseJsonText(r.outputs);
  if (attributes[ATTR.spanType] === undefined && r.span_type) attributes[ATTR.spanType] = r.span_type;
  if (attributes[ATTR.traceRequestId] === undefined) attributes[ATTR.traceRequestId] = r.trace_id;
  const code = (r.status_code === "OK" || r.status_code === "ERROR" ? r.status_code : "UNSET") as SpanStatusCode;
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    name: r.name,
    startTimeNs: BigInt(r.start_time_ns),
    endTimeNs: r.end_time_ns === null ? null : BigInt(r.end_time_ns),
    status: { code, message: r.status_message ?? "" },
    attributes,
    events: (Array.isArray(r.events) ? r.events : []).map((e) => ({
      name: e.name,
      timeNs: BigInt(e.time_unix_nano ?? 0),
      attributes: e.attributes ?? {},
    })),
  };
}

/** Spans of the given traces, each list ordered by start time (then span id). Unknown ids map to nothing. */
export async function loadSpans(traceIds: string[]): Promise<Map<string, NormalizedSpan[]>> {
  const out = new Map<string, NormalizedSpan[]>();
  if (traceIds.length === 0) return out;
  const { rows } = await getPool().query<SpanRow>(
    `SELECT trace_id, span_id, parent_span_id, name, span_type, start_time_ns, end_time_ns, status_code, status_message,
            attributes, inputs, outputs, events
       FROM spans WHERE trace_id = ANY($1::text[])
      ORDER BY trace_id, start_time_ns, span_id`,
    [[...new Set(traceIds)]],
  );
  for (const r of rows) {
    let list = out.get(r.trace_id);
    if (!list) out.set(r.trace_id, (list = []));
    list.push(spanFromRow(r));
  }
  return out;
}
