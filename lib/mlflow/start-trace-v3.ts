// StartTraceV3's request (spec §4.4) as one zod schema: TraceInfoV3 as clients send it → what the store
// upserts, plus the assessments it carries. Fields are read by the same parsers as everywhere else
// (timestamps, durations, states, string maps, assessments), so every refusal keeps MLflow's wording.
import { createHash } from "node:crypto";
import { z } from "zod";
import { invalidParameter } from "../errors";
import type { AssessmentInput } from "../store/assessments";
import type { TraceInfoInput } from "../store/ingest";
import { validateTraceMaps } from "../store/traces";
import { MAX_VALUE_DEPTH, nestsDeeperThan } from "../tracing/values";
import { parseAssessment } from "./assessments";
import { parseDurationMs, parseTimestampMs, parseTraceState } from "./format";
import { parsedBy, parseStringMap, refuseWith } from "./params";

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const missing = (name: string) => invalidParameter(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
const TI = "trace.trace_info";

/**
 * The trace's identity, checked first (before the fields, as the access check needs it): trace_info is an
 * object with a trace id and an MLflow experiment as its location. Its trace_location becomes that experiment id.
 */
const identified = parsedBy((ti) => {
  if (!isObj(ti)) throw missing(TI);
  const traceId = ti.trace_id;
  if (typeof traceId !== "string" || !traceId) throw missing(`${TI}.trace_id`);
  if (traceId.length > 200) throw invalidParameter(`Invalid value for parameter '${TI}.trace_id' supplied: longer than 200 characters.`);
  const loc = ti.trace_location;
  const exp = isObj(loc) && isObj(loc.mlflow_experiment) ? loc.mlflow_experiment.experiment_id : undefined;
  if (exp === undefined || exp === null || exp === "") {
    if (isObj(loc) && loc.type && loc.type !== "MLFLOW_EXPERIMENT" && loc.type !== 1) {
      throw invalidParameter(`Unsupported trace location type '${String(loc.type)}': this server stores traces in MLflow experiments only.`);
    }
    throw missing(`${TI}.trace_location.mlflow_experiment.experiment_id`);
  }
  return { ...ti, trace_location: String(exp) };
});

// (zod 4 refuses an absent key unless its schema is optional: every field but the identity may be left out)
const optional = <T>(parse: (v: unknown) => T) => parsedBy((v) => (v === undefined || v === null ? null : parse(v))).optional();

const optionalString = (field: string) =>
  optional((v) => {
    if (typeof v !== "string") throw invalidParameter(`Invalid value for parameter '${TI}.${field}' supplied: expected a string.`);
    return v;
  });

const stringMap = (v: unknown, field: string) => {
  const m = parseStringMap(v);
  if (!m) throw invalidParameter(`Invalid value for parameter '${TI}.${field}' supplied: expected a map of strings.`);
  return m;
};

/** TraceInfoV3 → { info, assessments }; fields in the order their refusals are reported. */
export const traceInfoV3Schema = identified.pipe(
  z
    .object({
      trace_id: z.string(),
      trace_location: z.string(),
      request_time: optional((v) => parseTimestampMs(v, `${TI}.request_time`)),
      execution_duration: optional((v) => parseDurationMs(v, `${TI}.execution_duration`)),
      // read only without execution_duration (below), as clients that send both mean the first
      execution_duration_ms: z.unknown().optional(),
      // trace_metadata (v3) or request_metadata (older clients): read together below
      trace_metadata: z.unknown().optional(),
      request_metadata: z.unknown().optional(),
      tags: parsedBy((v) => stringMap(v, "tags")).optional(),
      assessments: z.unknown().optional(),
      client_request_id: optionalString("client_request_id"),
      state: parsedBy((v) => parseTraceState(v, `${TI}.state`)).optional(),
      request_preview: optionalString("request_preview"),
      response_preview: optionalString("response_preview"),
    })
    .transform((ti, ctx): { info: TraceInfoInput; assessments: AssessmentInput[] } => {
      try {
        const metadata = stringMap(ti.trace_metadata ?? ti.request_metadata, "trace_metadata");
        const tags = ti.tags ?? {};
        validateTraceMaps(tags, metadata);
        // Clients retry StartTraceV3 (§1.7): an assessment sent without an id gets one derived from the trace
        // and its place in the list, so a retry updates it instead of adding a copy.
        const assessments = Array.isArray(ti.assessments)
          ? ti.assessments.map((a, i) => {
              const parsed = parseAssessment(a);
              if (!parsed.assessmentId) parsed.assessmentId = "a-" + createHash("sha256").update(`${ti.trace_id}\u0000${i}\u0000${parsed.name}`).digest("hex").slice(0, 32);
              // the span limit (lib/tracing/values.ts) for the one nested value StartTraceV3 stores: what is
              // acknowledged must render again in every reader
              if (parsed.value !== null && typeof parsed.value === "object" && nestsDeeperThan(parsed.value, MAX_VALUE_DEPTH)) {
                throw invalidParameter(`Invalid value for parameter '${TI}.assessments' supplied: the value of assessment '${parsed.name}' nests deeper than ${MAX_VALUE_DEPTH} levels.`);
              }
              return parsed;
            })
          : [];
        const ms = ti.execution_duration_ms;
        const duration = ti.execution_duration ?? (ms === undefined || ms === null ? null : parseDurationMs(Number(ms), `${TI}.execution_duration_ms`));
        return {
          info: {
            traceId: ti.trace_id,
            experimentId: ti.trace_location,
            clientRequestId: ti.client_request_id ?? null,
            requestTimeMs: Number(ti.request_time ?? BigInt(Date.now())),
            executionDurationMs: duration === null ? null : Number(duration),
            state: ti.state ?? "STATE_UNSPECIFIED",
            requestPreview: ti.request_preview ?? null,
            responsePreview: ti.response_preview ?? null,
            metadata,
            tags,
          },
          assessments,
        };
      } catch (err) {
        return refuseWith(ctx, err);
      }
    }),
);

/** The whole StartTraceV3 request, `{trace: {trace_info}}`, read as `{trace: {info, assessments}}`. */
export const startTraceV3Schema = z.object({
  trace: parsedBy((trace) => {
    if (!isObj(trace)) throw missing("trace");
    return trace.trace_info;
  }).pipe(traceInfoV3Schema),
});
