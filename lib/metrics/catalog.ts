// What each view of MLflow's trace-metrics API can measure and group by, as SQL over our tables.
//
// Shapes read from MLflow's sources (mlflow/mlflow):
//   mlflow/store/tracking/utils/sql_trace_metrics_utils.py (TRACES_/SPANS_/ASSESSMENTS_METRICS_CONFIGS,
//     _get_column_to_aggregate, _apply_dimension_to_query, _apply_filters, get_time_bucket_expression,
//     convert_results_to_metric_data_points), mlflow/entities/trace_metrics.py (MetricViewType,
//     AggregationType COUNT SUM AVG PERCENTILE MIN MAX), and /work/shared/spec/mlflow-protocol.md §7.3
//     (the request/response JSON as MLflow's UI types describe service.proto's QueryTraceMetrics).
// Meaning per view (MLflow's base query is always the trace; SPANS/ASSESSMENTS inner-join their rows):
//   TRACES  trace_count = count of traces; latency = execution time ms; input/output/total_tokens =
//           the trace's token usage (traces without it are left out, as MLflow's inner join does).
//           session_count = distinct sessions (the mlflow.trace.session metadata; the UI's session count).
//           dimensions trace_name (the mlflow.traceName tag: traces without one drop out), trace_status.
//   SPANS   span_count; latency = (end - start) ns // 1e6 ms. dimensions span_name, span_type, span_status.
//   ASSESSMENTS assessment_count; assessment_value = the JSON value as a number (true/"yes" 1,
//           false/"no" 0, other non-numbers NULL). dimensions assessment_name, assessment_value (JSON text).
//   time_bucket = floor(timestamp_ms / interval_ms) * interval_ms with the view's own timestamp (trace
//   request time, span start, assessment creation), answered as Python's isoformat (…+00:00).
// We are more liberal than MLflow: every dimension of a view goes with every metric of it, MIN/MAX and
// percentiles go with every numeric metric, and TRACES also offers `cost` and the `model` dimension.
import { invalidParameter } from "../errors";

export type ViewType = "TRACES" | "SPANS" | "ASSESSMENTS";
export type AggregationType = "COUNT" | "SUM" | "AVG" | "PERCENTILE" | "MIN" | "MAX";

interface ViewDef {
  /** joins after `traces t` */
  join: string;
  /** the view's own time in ms, for buckets */
  timeMs: string;
  /** metric → SQL value; `count: true` metrics answer COUNT only, `distinct` ones count distinct values */
  metrics: Record<string, { sql: string; count?: boolean; distinct?: boolean }>;
  /** dimension → SQL, plus a condition rows need to take part (MLflow's inner joins) */
  dimensions: Record<string, { sql: string; requires?: string }>;
  /** `<entity>.<field>` filters MLflow applies to the view's own rows */
  rowFilters: Record<string, string>;
}

// JSON booleans and "yes"/"no" count as 1/0 so that MLflow's categorical judges average to a pass rate
const ASSESSMENT_NUMBER = `(CASE jsonb_typeof(a.value)
  WHEN 'number' THEN (a.value #>> '{}')::float8
  WHEN 'boolean' THEN CASE WHEN a.value = 'true'::jsonb THEN 1.0 ELSE 0.0 END
  WHEN 'string' THEN CASE a.value #>> '{}' WHEN 'yes' THEN 1.0 WHEN 'no' THEN 0.0 END
END)`;

export const VIEWS: Record<ViewType, ViewDef> = {
  TRACES: {
    join: "",
    timeMs: "t.request_time",
    metrics: {
      trace_count: { sql: "t.trace_id", count: true },
      // MLflow's UI counts a session-grouped traces table with it: distinct mlflow.trace.session values
      session_count: { sql: "t.session_id", count: true, distinct: true },
      latency: { sql: "t.execution_duration" },
      input_tokens: { sql: "t.input_tokens" },
      output_tokens: { sql: "t.output_tokens" },
      total_tokens: { sql: "t.total_tokens" },
      cost: { sql: "t.cost" },
    },
    dimensions: {
      trace_name: { sql: "t.name", requires: "t.name IS NOT NULL" },
      trace_status: { sql: "t.state" },
      model: { sql: "t.model" },
    },
    rowFilters: {},
  },
  SPANS: {
    join: "JOIN spans s ON s.trace_id = t.trace_id",
    timeMs: "(s.start_time_ns / 1000000)",
    metrics: {
      span_count: { sql: "s.span_id", count: true },
      latency: { sql: "((s.end_time_ns - s.start_time_ns) / 1000000)" },
    },
    dimensions: {
      span_name: { sql: "s.name" },
      span_type: { sql: "s.span_type" },
      span_status: { sql: "s.status_code" },
    },
    rowFilters: { "span.name": "s.name", "span.status": "s.status_code", "span.type": "s.span_type" },
  },
  ASSESSMENTS: {
    // an overridden assessment (valid = false) is history, not a second opinion
    join: "JOIN assessments a ON a.trace_id = t.trace_id AND a.valid",
    timeMs: "a.create_time",
    metrics: {
      assessment_count: { sql: "a.assessment_id", count: true },
      assessment_value: { sql: ASSESSMENT_NUMBER },
    },
    dimensions: {
      assessment_name: { sql: "a.name" },
      assessment_value: { sql: "a.value::text" },
    },
    rowFilters: { "assessment.name": "a.name", "assessment.type": "a.kind" },
  },
};

/** The value key MLflow answers for an aggregation: the type's name, or P<value> with a decimal. */
export function aggregationKey(type: AggregationType, percentile?: number): string {
  if (type !== "PERCENTILE") return type;
  return `P${Number.isInteger(percentile) ? `${percentile}.0` : String(percentile)}`;
}

export function viewDef(view: ViewType, metric: string, aggregations: AggregationType[], dimensions: string[]) {
  const def = VIEWS[view];
  const m = def.metrics[metric];
  if (!m) throw invalidParameter(`metric_name must be one of ${JSON.stringify(Object.keys(def.metrics))}, got '${metric}'`);
  if (m.count) {
    const bad = aggregations.filter((a) => a !== "COUNT");
    if (bad.length) throw invalidParameter(`Found invalid aggregation_type(s): ${JSON.stringify([...new Set(bad)].sort())}. Supported aggregation types: ["COUNT"]`);
  }
  const badDims = dimensions.filter((d) => !(d in def.dimensions));
  if (badDims.length) {
    throw invalidParameter(`Found invalid dimension(s): ${JSON.stringify(badDims.sort())}. Supported dimensions: ${JSON.stringify(Object.keys(def.dimensions).sort())}`);
  }
  return { def, metricSql: m.sql, distinct: !!m.distinct };
}
