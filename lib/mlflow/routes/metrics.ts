// QueryTraceMetrics (spec §7.3): POST /api/3.0/mlflow/traces/metrics (and its /ajax-api twin through the
// rewrite). Enums arrive as names or as their protobuf numbers; numbers may be JSON numbers or strings.
import { z } from "zod";
import type { Access } from "../../auth/guard";
import type { AggregationType, ViewType } from "../../metrics/catalog";
import { queryTraceMetrics } from "../../metrics/queryTraceMetrics";
import { int32, str, strList, timestampMs } from "../params";
import { mlflowRoute } from "../route";
import type { Router } from "../router";

const VIEW_TYPES: ViewType[] = ["TRACES", "SPANS", "ASSESSMENTS"];
const AGGREGATION_TYPES: AggregationType[] = ["COUNT", "SUM", "AVG", "PERCENTILE", "MIN", "MAX"];

/** A protobuf enum by name (any case) or number (1-based, 0 being UNSPECIFIED). */
const protoEnum = <T extends string>(names: T[]) =>
  z.preprocess((v) => {
    if (typeof v === "number" || (typeof v === "string" && /^\d+$/.test(v.trim()))) return names[Number(v) - 1] ?? v;
    return typeof v === "string" ? v.trim().toUpperCase() : v;
  }, z.enum(names as [T, ...T[]]));

const finite = () =>
  z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : typeof v === "bigint" ? Number(v) : v), z.number().finite());

const schema = z.object({
  experiment_ids: strList().pipe(z.array(z.string()).min(1)),
  view_type: protoEnum(VIEW_TYPES),
  metric_name: str().pipe(z.string().min(1)),
  aggregations: z.array(z.object({ aggregation_type: protoEnum(AGGREGATION_TYPES), percentile_value: finite().optional() })).min(1),
  dimensions: strList().optional(),
  filters: strList().optional(),
  time_interval_seconds: int32().optional(),
  start_time_ms: timestampMs().optional(),
  end_time_ms: timestampMs().optional(),
  max_results: int32().optional(),
  page_token: str().optional(),
});

export function addMetricsRoutes(r: Router): void {
  r.add("POST", "/3.0/mlflow/traces/metrics", mlflowRoute({
    schema,
    access: (i): Access[] => [...new Set(i.experiment_ids)].map((experimentId) => ({ kind: "experiment", level: "READ", experimentId })),
    handler: (i) =>
      queryTraceMetrics({
        experimentIds: i.experiment_ids,
        view: i.view_type,
        metric: i.metric_name,
        aggregations: i.aggregations.map((a) => ({ type: a.aggregation_type, percentile: a.percentile_value })),
        dimensions: i.dimensions,
        filters: i.filters,
        timeIntervalSeconds: i.time_interval_seconds,
        startTimeMs: i.start_time_ms === undefined ? undefined : Number(i.start_time_ms),
        endTimeMs: i.end_time_ms === undefined ? undefined : Number(i.end_time_ms),
        maxResults: i.max_results,
        pageToken: i.page_token || undefined,
      }),
  }));
}
