// Experiment search (spec §2.2): attributes name/creation_time/last_update_time and tags.<key>, view
// types, order_by with experiment_id as the last tie-breaker, keyset pages.
import { getPool } from "../db";
import { invalidParameter } from "../errors";
import { compileExperimentFilter, compileExperimentOrderBy } from "./compile";
import { parseFilter } from "./parse";
import { checkMaxResults, decodePageToken, encodePageToken, keysetCondition, mapQueryError, orderByClause, queryHash, SqlParams, type KeyValue, selectAs } from "./sql";

export interface ExperimentRow {
  experimentId: bigint;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
  creationTime: bigint;
  lastUpdateTime: bigint;
  tags: { key: string; value: string }[];
}

export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

export interface SearchExperimentsQuery {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  viewType?: ViewType;
  /** visibility for the caller (lib/auth/guard.ts experimentListFilter): only these ids, or all but these */
  visibility?: null | { include: string[] } | { exclude: string[] };
}

export const EXPERIMENT_ROW_SELECT = selectAs("e", {
  experimentId: "experiment_id",
  name: "name",
  artifactLocation: "artifact_location",
  lifecycleStage: "lifecycle_stage",
  creationTime: "creation_time",
  lastUpdateTime: "last_update_time",
  tags: `COALESCE((SELECT json_agg(json_build_object('key', et.key, 'value', et.value) ORDER BY et.key) FROM experiment_tags et WHERE et.experiment_id = e.experiment_id), '[]'::json)`,
});

const VIEW_TYPES: Record<string, string | null> = { ACTIVE_ONLY: "active", DELETED_ONLY: "deleted", ALL: null, "1": "active", "2": "deleted", "3": null };

export async function searchExperiments(q: SearchExperimentsQuery): Promise<{ rows: ExperimentRow[]; nextPageToken?: string }> {
  const limit = checkMaxResults(q.maxResults, 1000, 50_000);
  const view = String(q.viewType ?? "ACTIVE_ONLY");
  if (!(view in VIEW_TYPES)) throw invalidParameter(`Invalid view_type '${view}' (expected ACTIVE_ONLY, DELETED_ONLY or ALL)`);
  const params = new SqlParams();
  const where: string[] = [];
  const stage = VIEW_TYPES[view];
  if (stage) where.push(`e.lifecycle_stage = ${params.add(stage, "text")}`);
  if (q.visibility && "include" in q.visibility) where.push(`e.experiment_id = ANY(${params.add(q.visibility.include, "bigint[]")})`);
  if (q.visibility && "exclude" in q.visibility) where.push(`NOT (e.experiment_id = ANY(${params.add(q.visibility.exclude, "bigint[]")}))`);
  const cond = compileExperimentFilter(parseFilter(q.filter ?? ""), params);
  if (cond !== "TRUE") where.push(`(${cond})`);
  const keys = compileExperimentOrderBy(q.orderBy);
  const hash = queryHash({ v: stage, f: q.filter ?? "", o: q.orderBy ?? [] });
  if (q.pageToken) where.push(keysetCondition(keys, decodePageToken(q.pageToken, hash, keys.length), params));
  const sql =
    `SELECT ${EXPERIMENT_ROW_SELECT}, ${keys.map((k, i) => `${k.sql} AS "_k${i}"`).join(", ")} FROM experiments e ` +
    `${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${orderByClause(keys)} LIMIT ${params.add(limit + 1, "integer")}`;
  let raw: Record<string, unknown>[];
  try {
    raw = (await getPool().query(sql, params.values)).rows;
  } catch (err) {
    mapQueryError(err);
  }
  const more = raw.length > limit;
  const page = more ? raw.slice(0, limit) : raw;
  const rows: ExperimentRow[] = page.map((r) => ({
    experimentId: BigInt(r.experimentId as string),
    name: r.name as string,
    artifactLocation: r.artifactLocation as string,
    lifecycleStage: r.lifecycleStage as string,
    creationTime: BigInt(r.creationTime as string),
    lastUpdateTime: BigInt(r.lastUpdateTime as string),
    tags: r.tags as { key: string; value: string }[],
  }));
  if (!more) return { rows };
  const last = page[page.length - 1];
  return { rows, nextPageToken: encodePageToken(keys.map((_, i) => last[`_k${i}`] as KeyValue), hash) };
}
