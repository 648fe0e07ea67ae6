// MLflow's QueryTraceMetrics as one SQL aggregate: the experiments' traces (joined to their spans or
// assessments for those views), filtered, grouped by the time bucket and the dimensions, ordered by them
// and paged by offset. Which column each metric and dimension reads is in ./catalog.ts.
//
// The time range (start_time_ms ≤ t ≤ end_time_ms) applies to the view's own time, the one its buckets
// use, so a bucket never holds rows from outside the range.
import { getPool } from "../db";
import { invalidParameter } from "../errors";
import { isExperimentId } from "../experiment-id";
import { compileTraceFilter } from "../search/compile";
import { parseFilter } from "../search/parse";
import { checkMaxResults, decodePageToken, encodePageToken, mapQueryError, queryHash, SqlParams } from "../search/sql";
import { aggregationKey, viewDef, type AggregationType, type ViewType } from "./catalog";

export interface MetricAggregation {
  type: AggregationType;
  /** 0–100, for PERCENTILE */
  percentile?: number;
}

export interface TraceMetricsQuery {
  experimentIds: string[];
  view: ViewType;
  metric: string;
  aggregations: MetricAggregation[];
  dimensions?: string[];
  /** MLflow's filter strings, ANDed */
  filters?: string[];
  timeIntervalSeconds?: number;
  startTimeMs?: number;
  endTimeMs?: number;
  maxResults?: number;
  pageToken?: string;
}

export interface MetricDataPoint {
  metric_name: string;
  dimensions: Record<string, string | null>;
  values: Record<string, number>;
}

export const DEFAULT_MAX_POINTS = 1000;
export const MAX_MAX_POINTS = 10_000;
export const TIME_BUCKET = "time_bucket";

// `span.name = "x"` and the like, which MLflow applies to the view's rows rather than to the trace
// MLflow writes a trace's tags and metadata as trace.tag.<k> / trace.metadata.<k>; the search grammar as tag.<k>
const TRACE_MAP_PREFIX = /^(\s*)trace\.(tag|metadata)\./i;
const ROW_FILTER = /^\s*((?:span|assessment)\.\w+)\s*(=|!=)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*$/i;

/** Python's datetime.isoformat() of a UTC time, as MLflow answers time buckets. */
export function bucketIso(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? iso.slice(0, -5) + "+00:00" : iso.slice(0, -1) + "000+00:00";
}

export function buildTraceMetricsSql(q: TraceMetricsQuery) {
  if (!Array.isArray(q.experimentIds) || !q.experimentIds.length) throw invalidParameter("At least one experiment ID is required (experiment_ids)");
  for (const id of q.experimentIds) if (!isExperimentId(String(id))) throw invalidParameter(`Invalid experiment ID '${id}'`);
  if (!q.aggregations.length) throw invalidParameter("Missing value for required parameter 'aggregations'.");
  for (const a of q.aggregations) {
    if (a.type === "PERCENTILE" && (a.percentile === undefined || !(a.percentile >= 0 && a.percentile <= 100))) {
      throw invalidParameter(`percentile_value must be between 0 and 100 for PERCENTILE aggregation, got ${a.percentile}`);
    }
  }
  const dimensions = [...new Set(q.dimensions ?? [])];
  const { def, metricSql, distinct } = viewDef(q.view, q.metric, q.aggregations.map((a) => a.type), dimensions);
  const limit = checkMaxResults(q.maxResults, DEFAULT_MAX_POINTS, MAX_MAX_POINTS);

  const params = new SqlParams();
  const ids = params.add([...new Set(q.experimentIds.map(String))], "bigint[]");
  const where = [`t.experiment_id = ANY(${ids})`];
  for (const f of q.filters ?? []) {
    const row = ROW_FILTER.exec(f);
    const column = row && def.rowFilters[row[1].toLowerCase()];
    if (row && column) {
      const value = (row[3] ?? row[4]).replace(/\\(.)/g, "$1");
      where.push(`${column} ${row[2] === "=" ? "=" : "IS DISTINCT FROM"} ${params.add(value, "text")}`);
      continue;
    }
    const cond = compileTraceFilter(parseFilter(f.replace(TRACE_MAP_PREFIX, "$1$2.")), params, { spanExperimentCondition: () => `s.experiment_id = ANY(${ids})` });
    if (cond !== "TRUE") where.push(`(${cond})`);
  }

  const groups: { name: string; sql: string }[] = [];
  const interval = q.timeIntervalSeconds;
  if (interval !== undefined && interval !== null && interval !== 0) {
    if (!Number.isInteger(interval) || interval < 1) throw invalidParameter(`time_interval_seconds must be a positive integer, got ${interval}`);
    if (q.startTimeMs === undefined || q.endTimeMs === undefined) {
      throw invalidParameter("start_time_ms and end_time_ms are required if time_interval_seconds is set");
    }
    const ms = params.add(String(interval * 1000), "bigint");
    groups.push({ name: TIME_BUCKET, sql: `(floor(${def.timeMs}::numeric / ${ms}) * ${ms})::bigint` });
  }
  if (q.startTimeMs !== undefined && q.endTimeMs !== undefined && q.startTimeMs > q.endTimeMs) {
    throw invalidParameter(`start_time_ms (${q.startTimeMs}) must not be after end_time_ms (${q.endTimeMs})`);
  }
  if (q.startTimeMs !== undefined) where.push(`${def.timeMs} >= ${params.add(String(q.startTimeMs), "bigint")}`);
  if (q.endTimeMs !== undefined) where.push(`${def.timeMs} <= ${params.add(String(q.endTimeMs), "bigint")}`);
  for (const d of dimensions) {
    const dim = def.dimensions[d];
    groups.push({ name: d, sql: dim.sql });
    if (dim.requires) where.push(dim.requires);
  }

  const aggSql = q.aggregations.map((a) => {
    switch (a.type) {
      case "COUNT":
        return `count(${distinct ? "DISTINCT " : ""}${metricSql})`;
      case "PERCENTILE":
        // linear interpolation, as numpy.quantile and MLflow's Postgres store
        return `percentile_cont(${params.add(a.percentile! / 100, "float8")}) WITHIN GROUP (ORDER BY ${metricSql})`;
      default:
        return `${a.type.toLowerCase()}(${metricSql})`;
    }
  });
  const hash = queryHash({ ...q, pageToken: undefined, maxResults: undefined });
  const offset = q.pageToken ? Number(decodePageToken(q.pageToken, hash, 1)[0]) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw invalidParameter("Invalid page_token");

  const select = [...groups.map((g, i) => `${g.sql} AS "d${i}"`), ...aggSql.map((s, i) => `${s}::float8 AS "v${i}"`)];
  const groupBy = groups.length ? ` GROUP BY ${groups.map((_, i) => i + 1).join(", ")} ORDER BY ${groups.map((_, i) => `${i + 1} NULLS LAST`).join(", ")}` : "";
  const sql = `SELECT ${select.join(", ")} FROM traces t ${def.join} WHERE ${where.join(" AND ")}${groupBy} LIMIT ${params.add(limit + 1, "integer")} OFFSET ${params.add(offset, "integer")}`;
  return { sql, values: params.values, groups, limit, offset, hash };
}

export async function queryTraceMetrics(q: TraceMetricsQuery): Promise<{ data_points: MetricDataPoint[]; next_page_token?: string }> {
  const { sql, values, groups, limit, offset, hash } = buildTraceMetricsSql(q);
  let rows: Record<string, unknown>[];
  try {
    rows = (await getPool().query(sql, values)).rows;
  } catch (err) {
    mapQueryError(err);
  }
  const keys = q.aggregations.map((a) => aggregationKey(a.type, a.percentile));
  const points: MetricDataPoint[] = [];
  for (const row of rows.slice(0, limit)) {
    const dims: Record<string, string | null> = {};
    groups.forEach((g, i) => {
      const v = row[`d${i}`];
      dims[g.name] = v === null || v === undefined ? null : g.name === TIME_BUCKET ? bucketIso(Number(v)) : String(v);
    });
    const vals: Record<string, number> = {};
    keys.forEach((k, i) => {
      const v = row[`v${i}`];
      if (v !== null && v !== undefined) vals[k] = Number(v);
    });
    // MLflow leaves out a point whose aggregations are all NULL (no values to aggregate)
    if (Object.keys(vals).length) points.push({ metric_name: q.metric, dimensions: dims, values: vals });
  }
  if (rows.length <= limit) return { data_points: points };
  return { data_points: points, next_page_token: encodePageToken([offset + limit], hash) };
}
