// Trace routes (spec §4.4, §4.6, §5, §6): StartTraceV3 and the legacy v2 start/end, get info, get with
// spans, batch gets, search v3 and v2, tags, deletion, links to runs and prompts.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Access } from "../../auth/guard";
import { ApiError, invalidParameter } from "../../errors";
import { parseTraceState, traceInfoV2Json, traceInfoV3Json } from "../format";
import { bool, idStr, int32, int64, keyValueList, parsedBy, requiredStr, str, strList, timestampMs, tagValue } from "../params";
import { mlflowRoute, noContent } from "../route";
import { startTraceV3Schema } from "../start-trace-v3";
import type { Router } from "../router";
import { searchTraces } from "../../search/traces";
import { insertAssessments, loadAssessments } from "../../store/assessments";
import { upsertTraceInfo } from "../../store/ingest";
import { loadSpans } from "../../store/spans";
import { withTransaction } from "../../store/pg-tx";
import {
  deleteTraceTag,
  deleteTraces,
  getTraceInfo,
  getTraceInfoWithAssessments,
  getTraceInfos,
  linkPromptsToTrace,
  validateTraceMaps,
  linkTracesToRun,
  MAX_LINK_TRACE_IDS,
  setTraceTag,
  withAssessments,
} from "../../store/traces";
import { toOtlpJsonSpan } from "../../tracing/encode";

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const missing = (name: string) => invalidParameter(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);

const traceAccess = (level: "READ" | "EDIT") => (i: { trace_id: string }): Access => ({ kind: "trace", level, traceId: i.trace_id });
const expAccess = (level: "READ" | "EDIT", ids: string[]): Access[] => [...new Set(ids)].map((experimentId) => ({ kind: "experiment", level, experimentId }));

/** The experiment ids named by SearchTracesV3's `locations` (entries of other kinds are skipped). */
function locationExperimentIds(locations: unknown): string[] {
  const ids: string[] = [];
  if (Array.isArray(locations)) {
    for (const loc of locations) {
      if (!isObj(loc)) continue;
      const e = isObj(loc.mlflow_experiment) ? loc.mlflow_experiment.experiment_id : undefined;
      if (e !== undefined && e !== null && e !== "") ids.push(String(e));
    }
  }
  return ids;
}

/** `locations` (v3) and `experiment_ids` (older callers) → experiment ids. */
function experimentIdsOf(i: { locations?: string[]; experiment_ids?: string[] }): string[] {
  return [...new Set([...(i.experiment_ids ?? []), ...(i.locations ?? [])])];
}

async function infoV3(traceId: string) {
  const { info, assessments } = await getTraceInfoWithAssessments(traceId);
  return traceInfoV3Json(info, assessments);
}

/** Spans of one trace in OTel JSON (§3.7 D); refuses an incomplete trace unless allow_partial. */
async function traceWithSpans(traceId: string, allowPartial: boolean) {
  const [info, spanMap, assessmentMap] = await Promise.all([getTraceInfo(traceId), loadSpans([traceId]), loadAssessments([traceId])]);
  const spans = spanMap.get(traceId) ?? [];
  // MLflow answers both cases with 500 INTERNAL_ERROR; that makes the Python client retry for minutes (it
  // retries 5xx) and reads as a server fault. Neither is one: no spans stored is 404, spans still arriving
  // is 409 (the request conflicts with the trace's current state); the messages are MLflow's.
  if (!allowPartial) {
    if (!spans.length) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `Trace data not stored in tracking store for trace with ID '${traceId}'.`);
    if (!spans.some((s) => !s.parentSpanId) || info.state === "IN_PROGRESS") {
      throw new ApiError("RESOURCE_CONFLICT", `Trace with ID '${traceId}' is not complete yet (its root span has not arrived); request it with allow_partial=true.`);
    }
  }
  return { trace_info: traceInfoV3Json(info, assessmentMap.get(traceId) ?? []), spans: spans.map(toOtlpJsonSpan) };
}

/** request_metadata and tags of the v2 start/end calls, within the per-trace limits. */
function v2Maps(i: { request_metadata?: { key: string; value: string }[]; tags?: { key: string; value: string }[] }) {
  const metadata = Object.fromEntries((i.request_metadata ?? []).map((kv) => [kv.key, kv.value]));
  const tags = Object.fromEntries((i.tags ?? []).map((kv) => [kv.key, kv.value]));
  validateTraceMaps(tags, metadata, "");
  return { metadata, tags };
}

export function addTraceRoutes(r: Router): void {
  const v2 = (p: string) => "/2.0/mlflow" + p;
  const v3 = (p: string) => "/3.0/mlflow" + p;
  const both = (p: string) => [v2(p), v3(p)];

  // ---------- StartTraceV3 ----------
  r.add("POST", v3("/traces"), mlflowRoute({
    schema: startTraceV3Schema,
    // The trace may be stored already (the Python client sends its spans by OTLP first, a retry repeats
    // this call): then EDIT on the experiment that owns it, not only on the one named here (issue #14).
    // (The write itself refuses a trace owned by another experiment too: flowtrace_upsert_trace_infos.)
    access: ({ trace: { info } }): Access => ({ kind: "trace", level: "EDIT", traceId: info.traceId, experimentId: info.experimentId }),
    handler: async ({ trace: { info, assessments } }) => {
      if (assessments.length) {
        // the trace and its assessments in one transaction: all of it or nothing
        await withTransaction(async (c) => {
          await upsertTraceInfo(info, c);
          await insertAssessments(c, info.traceId, assessments);
        });
        return { trace: { trace_info: await infoV3(info.traceId) } };
      }
      // the common case answers from the written row; a trace with assessments needs its own read
      const stored = await upsertTraceInfo(info);
      return { trace: { trace_info: stored.hasAssessments ? await infoV3(info.traceId) : traceInfoV3Json(stored, []) } };
    },
  }));

  // ---------- legacy v2 StartTrace / EndTrace / info ----------
  r.add("POST", v2("/traces"), mlflowRoute({
    schema: z.object({ experiment_id: idStr(), timestamp_ms: timestampMs().optional(), request_metadata: keyValueList().optional(), tags: keyValueList().optional() }),
    access: (i) => ({ kind: "experiment", level: "EDIT", experimentId: i.experiment_id }),
    handler: async (i) => {
      const traceId = randomUUID().replace(/-/g, "");
      await upsertTraceInfo({
        traceId,
        experimentId: i.experiment_id,
        requestTimeMs: Number(i.timestamp_ms ?? BigInt(Date.now())),
        executionDurationMs: null,
        state: "IN_PROGRESS",
        ...v2Maps(i),
      });
      return { trace_info: traceInfoV2Json(await getTraceInfo(traceId)) };
    },
  }));

  r.add("PATCH", v2("/traces/{trace_id}"), mlflowRoute({
    schema: z.object({ trace_id: requiredStr(), timestamp_ms: timestampMs(), status: parsedBy((v) => parseTraceState(v, "status")), request_metadata: keyValueList().optional(), tags: keyValueList().optional() }),
    access: traceAccess("EDIT"),
    handler: async (i) => {
      const cur = await getTraceInfo(i.trace_id);
      const start = BigInt(cur.requestTime);
      await upsertTraceInfo({
        traceId: cur.traceId,
        experimentId: String(cur.experimentId),
        clientRequestId: cur.clientRequestId ?? null,
        requestTimeMs: Number(start),
        executionDurationMs: Number(i.timestamp_ms > start ? i.timestamp_ms - start : 0n),
        state: i.status,
        ...v2Maps(i),
      });
      return { trace_info: traceInfoV2Json(await getTraceInfo(cur.traceId)) };
    },
  }));

  r.add("GET", v2("/traces/{trace_id}/info"), mlflowRoute({
    schema: z.object({ trace_id: requiredStr() }),
    access: traceAccess("READ"),
    handler: async (i) => ({ trace_info: traceInfoV2Json(await getTraceInfo(i.trace_id)) }),
  }));

  // ---------- reads (v3) ----------
  r.add("GET", v3("/traces/{trace_id}"), mlflowRoute({
    schema: z.object({ trace_id: requiredStr() }),
    access: traceAccess("READ"),
    handler: async (i) => ({ trace: { trace_info: await infoV3(i.trace_id) } }),
  }));

  r.add("GET", v3("/traces/get"), mlflowRoute({
    schema: z.object({ trace_id: requiredStr(), allow_partial: bool().optional() }),
    access: traceAccess("READ"),
    handler: async (i) => ({ trace: await traceWithSpans(i.trace_id, i.allow_partial ?? false) }),
  }));

  const batchSchema = z.object({ trace_ids: strList().optional(), experiment_ids: strList().optional() });
  const batchAccess = async (i: { trace_ids?: string[] }): Promise<Access[]> => (i.trace_ids ?? []).map((traceId) => ({ kind: "trace", level: "READ", traceId }));

  r.add(["GET", "POST"], v3("/traces/batchGet"), mlflowRoute({
    schema: batchSchema,
    access: batchAccess,
    handler: async (i) => {
      const ids = i.trace_ids ?? [];
      // one round trip each, in parallel; rows of ids that turn out unknown are simply not used
      const [infos, assessments, spans] = await Promise.all([getTraceInfos(ids, i.experiment_ids), loadAssessments(ids), loadSpans(ids)]);
      return {
        traces: infos.map((info) => ({
          trace_info: traceInfoV3Json(info, assessments.get(info.traceId) ?? []),
          spans: (spans.get(info.traceId) ?? []).map(toOtlpJsonSpan),
        })),
      };
    },
  }));

  r.add(["POST", "GET"], v3("/traces/batchGetInfos"), mlflowRoute({
    schema: batchSchema,
    access: batchAccess,
    handler: async (i) => {
      const infos = await getTraceInfos(i.trace_ids ?? [], i.experiment_ids);
      return { trace_infos: (await withAssessments(infos)).map(({ info, assessments }) => traceInfoV3Json(info, assessments)) };
    },
  }));

  // ---------- search ----------
  const searchSchema = z.object({
    locations: parsedBy(locationExperimentIds).optional(),
    experiment_ids: strList().optional(),
    filter: str().optional(),
    max_results: int32().optional(),
    order_by: strList().optional(),
    page_token: str().optional(),
  });

  r.add(["POST", "GET"], v3("/traces/search"), mlflowRoute({
    schema: searchSchema,
    access: (i) => expAccess("READ", experimentIdsOf(i)),
    handler: async (i) => {
      const experimentIds = experimentIdsOf(i);
      if (!experimentIds.length) throw missing("locations");
      const { rows, nextPageToken } = await searchTraces({ experimentIds, filter: i.filter, orderBy: i.order_by, maxResults: i.max_results, pageToken: i.page_token || undefined });
      const traces = (await withAssessments(rows)).map(({ info, assessments }) => traceInfoV3Json(info, assessments));
      return nextPageToken ? { traces, next_page_token: nextPageToken } : { traces };
    },
  }));

  r.add("GET", v2("/traces"), mlflowRoute({
    schema: searchSchema,
    access: (i) => expAccess("READ", experimentIdsOf(i)),
    handler: async (i) => {
      const experimentIds = experimentIdsOf(i);
      if (!experimentIds.length) throw missing("experiment_ids");
      const { rows, nextPageToken } = await searchTraces({ experimentIds, filter: i.filter, orderBy: i.order_by, maxResults: i.max_results, pageToken: i.page_token || undefined });
      const traces = rows.map((t) => traceInfoV2Json(t));
      return nextPageToken ? { traces, next_page_token: nextPageToken } : { traces };
    },
  }));

  // ---------- tags ----------
  r.add("PATCH", both("/traces/{trace_id}/tags"), mlflowRoute({
    schema: z.object({ trace_id: requiredStr(), key: requiredStr(), value: tagValue() }),
    access: traceAccess("EDIT"),
    handler: noContent((i) => setTraceTag(i.trace_id, i.key, i.value)),
  }));

  r.add("DELETE", both("/traces/{trace_id}/tags"), mlflowRoute({
    schema: z.object({ trace_id: requiredStr(), key: requiredStr() }),
    access: traceAccess("EDIT"),
    handler: noContent((i) => deleteTraceTag(i.trace_id, i.key)),
  }));

  // ---------- deletion and links ----------
  r.add("POST", both("/traces/delete-traces"), mlflowRoute({
    schema: z.object({
      experiment_id: idStr(),
      max_timestamp_millis: int64().optional(),
      max_traces: int32().optional(),
      request_ids: strList().optional(),
      trace_ids: strList().optional(),
    }),
    // EDIT on the named experiment (deletion by time deletes only its traces), and on the owner of every
    // stored trace named by id: deletion by ids is scoped to the named experiment in SQL too, but a trace of
    // an experiment the caller may not edit is refused outright rather than silently skipped (issue #14).
    access: (i): Access[] => {
      const ids = i.request_ids?.length ? i.request_ids : (i.trace_ids ?? []);
      return [{ kind: "experiment", level: "EDIT", experimentId: i.experiment_id }, { kind: "traces", level: "EDIT", traceIds: ids, ifExists: true }];
    },
    handler: async (i) => ({
      traces_deleted: await deleteTraces({
        experimentId: i.experiment_id,
        maxTimestampMillis: i.max_timestamp_millis,
        maxTraces: i.max_traces,
        requestIds: i.request_ids?.length ? i.request_ids : i.trace_ids,
      }),
    }),
  }));

  r.add("POST", both("/traces/link-to-run"), mlflowRoute({
    schema: z.object({ trace_ids: strList(), run_id: requiredStr() }),
    // every trace's owner, in one lookup (more than MAX_LINK_TRACE_IDS ids are refused by the handler: 400)
    access: (i): Access => ({ kind: "traces", level: "EDIT", traceIds: i.trace_ids.slice(0, MAX_LINK_TRACE_IDS + 1) }),
    handler: noContent((i) => linkTracesToRun(i.trace_ids, i.run_id)),
  }));

  r.add("POST", both("/traces/link-prompts"), mlflowRoute({
    schema: z.object({
      trace_id: requiredStr(),
      prompt_versions: z.array(z.object({ name: requiredStr(), version: z.preprocess((v) => (typeof v === "number" || typeof v === "bigint" ? String(v) : v), z.string().min(1)) })),
    }),
    access: traceAccess("EDIT"),
    handler: noContent((i) => linkPromptsToTrace(i.trace_id, i.prompt_versions)),
  }));

}
