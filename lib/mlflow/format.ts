// MLflow's JSON shapes for what we store (spec §2.1, §3.2, §3.9, §7.1), and the parsers for the
// protobuf-JSON scalars clients send (Timestamp, Duration, enums). Field names are snake_case; empty
// optional fields are omitted, as protobuf's JSON printer does.
import { invalidParameter } from "../errors";
import { MAX_TIME_MS } from "../input-limits";
import type { AssessmentRow, ExperimentRow, Int, TraceInfoRow } from "../store/rows";

const toNum = (v: Int) => Number(v);

// ---------- scalars ----------

/** google.protobuf.Timestamp as RFC 3339 UTC with milliseconds. */
export function timestampJson(ms: Int): string {
  return new Date(toNum(ms)).toISOString();
}

/** google.protobuf.Duration for a millisecond count: "1.537s", "2s", "0.045s". */
export function durationJson(ms: Int): string {
  const n = BigInt(ms);
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const secs = abs / 1000n;
  const frac = abs % 1000n;
  return `${neg ? "-" : ""}${secs}${frac ? "." + frac.toString().padStart(3, "0") : ""}s`;
}

/**
 * A parsed time or duration in ms, refused (400) when its nanoseconds would not fit the store's int64 or it
 * is no number at all (BigInt of `{"seconds": "abc"}` throws a SyntaxError, which is the client's input too).
 */
function inTimeRange(parse: () => bigint, v: unknown, field: string, what: string): bigint {
  let ms: bigint;
  try {
    ms = parse();
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof RangeError || err instanceof TypeError) {
      throw invalidParameter(`Invalid value ${JSON.stringify(String(v)).slice(0, 200)} for parameter '${field}' supplied: expected ${what}.`);
    }
    throw err;
  }
  if (ms > MAX_TIME_MS || ms < -MAX_TIME_MS) {
    throw invalidParameter(`Invalid value ${JSON.stringify(String(v)).slice(0, 200)} for parameter '${field}' supplied: out of range (at most ${MAX_TIME_MS} ms, the year 2262).`);
  }
  return ms;
}

/** Timestamp in: RFC 3339 text, or a number of epoch ms (lenient). Returns epoch ms. */
export function parseTimestampMs(v: unknown, field: string): bigint {
  return inTimeRange(() => parseTimestampMsUnchecked(v, field), v, field, "an RFC 3339 timestamp");
}

/** Duration in: "1.537s" (protobuf JSON), or a number of ms (lenient). Returns ms. */
export function parseDurationMs(v: unknown, field: string): bigint {
  return inTimeRange(() => parseDurationMsUnchecked(v, field), v, field, 'a duration such as "1.5s"');
}

function parseTimestampMsUnchecked(v: unknown, field: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isFinite(v)) return BigInt(Math.trunc(v));
  if (typeof v === "string") {
    if (/^-?\d+$/.test(v)) return BigInt(v);
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return BigInt(ms);
  }
  if (v && typeof v === "object" && "seconds" in v) {
    const o = v as { seconds?: Int; nanos?: Int };
    return BigInt(o.seconds ?? 0) * 1000n + BigInt(Math.trunc(Number(o.nanos ?? 0) / 1e6));
  }
  throw invalidParameter(`Invalid value ${JSON.stringify(String(v))} for parameter '${field}' supplied: expected an RFC 3339 timestamp.`);
}

function parseDurationMsUnchecked(v: unknown, field: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isFinite(v)) return BigInt(Math.round(v));
  if (typeof v === "string") {
    const m = /^(-)?(\d+)(?:\.(\d{0,9}))?s$/.exec(v.trim());
    if (m) {
      const frac = (m[3] ?? "").padEnd(9, "0");
      const ns = BigInt(m[2]) * 1_000_000_000n + BigInt(frac || "0");
      // round half up to the millisecond
      const ms = (ns + 500_000n) / 1_000_000n;
      return m[1] ? -ms : ms;
    }
  }
  if (v && typeof v === "object" && "seconds" in v) {
    const o = v as { seconds?: Int; nanos?: Int };
    return BigInt(o.seconds ?? 0) * 1000n + BigInt(Math.round(Number(o.nanos ?? 0) / 1e6));
  }
  throw invalidParameter(`Invalid value ${JSON.stringify(String(v))} for parameter '${field}' supplied: expected a duration such as "1.5s".`);
}

const TRACE_STATES = ["STATE_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"] as const;
export type TraceStateName = (typeof TRACE_STATES)[number];

/** TraceState (v3) or TraceStatus (v2), by name or number. */
export function parseTraceState(v: unknown, field = "state"): TraceStateName {
  if (v === undefined || v === null || v === "") return "STATE_UNSPECIFIED";
  if (typeof v === "number" || typeof v === "bigint" || (typeof v === "string" && /^\d+$/.test(v))) {
    const s = TRACE_STATES[Number(v)];
    if (s) return s;
  } else if (typeof v === "string") {
    const s = v.toUpperCase();
    if (s === "TRACE_STATUS_UNSPECIFIED") return "STATE_UNSPECIFIED";
    if ((TRACE_STATES as readonly string[]).includes(s)) return s as TraceStateName;
  }
  throw invalidParameter(`Invalid value ${JSON.stringify(String(v))} for parameter '${field}' supplied: expected one of ${TRACE_STATES.join(", ")}.`);
}

// ---------- experiments ----------

export function experimentJson(e: ExperimentRow) {
  return {
    experiment_id: String(e.experimentId),
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: BigInt(e.lastUpdateTime),
    creation_time: BigInt(e.creationTime),
    tags: e.tags.map((t) => ({ key: t.key, value: t.value })),
  };
}

// ---------- assessments ----------

export function assessmentJson(a: AssessmentRow) {
  const out: Record<string, unknown> = {
    assessment_id: a.assessmentId,
    assessment_name: a.name,
    trace_id: a.traceId,
  };
  if (a.spanId) out.span_id = a.spanId;
  out.source = { source_type: a.sourceType, ...(a.sourceId != null ? { source_id: a.sourceId } : {}) };
  out.create_time = timestampJson(a.createTime);
  out.last_update_time = timestampJson(a.lastUpdateTime);
  if (a.kind === "expectation") {
    out.expectation = a.serializedValue != null ? { serialized_value: a.serializedValue } : { value: a.value ?? null };
  } else {
    const fb: Record<string, unknown> = {};
    if (a.value !== null && a.value !== undefined) fb.value = a.value;
    else if (a.error == null) fb.value = null;
    if (a.error != null) fb.error = a.error;
    out.feedback = fb;
  }
  if (a.rationale != null) out.rationale = a.rationale;
  const md = (a.metadata ?? {}) as Record<string, string>;
  if (Object.keys(md).length) out.metadata = md;
  if (a.overrides) out.overrides = a.overrides;
  out.valid = a.valid;
  return out;
}

// ---------- traces ----------

const asMap = (v: unknown): Record<string, string> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : {});

export function traceInfoV3Json(t: TraceInfoRow, assessments: AssessmentRow[] = []) {
  const out: Record<string, unknown> = { trace_id: t.traceId };
  if (t.clientRequestId) out.client_request_id = t.clientRequestId;
  out.trace_location = { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: String(t.experimentId) } };
  if (t.requestPreview != null) out.request_preview = t.requestPreview;
  if (t.responsePreview != null) out.response_preview = t.responsePreview;
  out.request_time = timestampJson(t.requestTime);
  if (t.executionDuration != null) out.execution_duration = durationJson(t.executionDuration);
  out.state = t.state;
  out.trace_metadata = asMap(t.metadata);
  out.tags = asMap(t.tags);
  out.assessments = assessments.map(assessmentJson);
  return out;
}

export function traceInfoV2Json(t: TraceInfoRow) {
  const kv = (m: Record<string, string>) => Object.entries(m).map(([key, value]) => ({ key, value }));
  const out: Record<string, unknown> = {
    request_id: t.traceId,
    experiment_id: String(t.experimentId),
    timestamp_ms: BigInt(t.requestTime),
  };
  if (t.executionDuration != null) out.execution_time_ms = BigInt(t.executionDuration);
  out.status = t.state === "STATE_UNSPECIFIED" ? "TRACE_STATUS_UNSPECIFIED" : t.state;
  out.request_metadata = kv(asMap(t.metadata));
  out.tags = kv(asMap(t.tags));
  return out;
}
