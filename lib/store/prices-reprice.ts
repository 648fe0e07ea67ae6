// Re-pricing stored spans (issue #16): after a price change, the costs flowtrace computed (the spans carrying
// flowtrace.cost.source; a client's cost never) are computed again with the current prices, and their traces
// recounted so that traces, sessions and users agree (the session and user summaries follow the trace rows
// through their triggers). In batches of REPRICE_BATCH spans in key order, one short transaction each: the
// job's row in server_settings holds the cursor and is locked by the batch that advances it, so a crash loses
// at most one uncommitted batch, two instances never run the same batch, and the next progress read resumes.
import { getPool } from "../db";
import { COST_SOURCE_ATTR, costValue, spanCost } from "../cost/spanCost";
import { ATTR } from "../tracing/derive";
import { refreshStoredPrices } from "./prices";

export const REPRICE_KEY = "reprice_job";
export const REPRICE_BATCH = 500;
// a job whose runner has not written for this long is taken over (its process died)
const STALE_MS = 10_000;

export interface RepriceJob {
  startedAt: number;
  startedBy: string | null;
  /** the last span done, in (trace_id, span_id) order */
  cursor: [string, string] | null;
  done: number;
  /** spans with a computed cost when the job started */
  total: number;
  heartbeat: number;
  finishedAt: number | null;
}

let running: Promise<void> | null = null;

export async function repriceJob(): Promise<RepriceJob | null> {
  const r = await getPool().query<{ value: string }>("SELECT value FROM server_settings WHERE key = $1", [REPRICE_KEY]);
  return r.rows[0] ? (JSON.parse(r.rows[0].value) as RepriceJob) : null;
}

/** Starts re-pricing every computed span cost (restarting a job in progress from the beginning). */
export async function startReprice(actor: string | null): Promise<RepriceJob> {
  const n = await getPool().query<{ n: string }>(`SELECT count(*) AS n FROM spans WHERE attributes ? $1`, [COST_SOURCE_ATTR]);
  const now = Date.now();
  const job: RepriceJob = { startedAt: now, startedBy: actor, cursor: null, done: 0, total: Number(n.rows[0].n), heartbeat: now, finishedAt: null };
  await getPool().query(`INSERT INTO server_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [REPRICE_KEY, JSON.stringify(job)]);
  void runReprice();
  return job;
}

/** The job's state; an unfinished job whose runner went away is resumed here. */
export async function repriceProgress(): Promise<RepriceJob | null> {
  const job = await repriceJob();
  if (job && !job.finishedAt && !running && Date.now() - job.heartbeat > STALE_MS) void runReprice();
  return job;
}

/** Runs the job to its end in this process (one runner per process). */
export function runReprice(): Promise<void> {
  return (running ??= (async () => {
    await refreshStoredPrices();
    while (await repriceBatch()) {
      // the next batch in a fresh transaction
    }
  })()
    .catch((e) => console.error(`flowtrace: re-pricing stopped: ${(e as Error).message} (it resumes when the prices page is opened)`))
    .finally(() => {
      running = null;
    }));
}

/** One batch; false when the job is finished (or gone). */
export async function repriceBatch(): Promise<boolean> {
  const client = await getPool().connect();
  try {
    await client.query("BEGIN");
    const j = await client.query<{ value: string }>("SELECT value FROM server_settings WHERE key = $1 FOR UPDATE", [REPRICE_KEY]);
    if (!j.rows[0]) return (await client.query("ROLLBACK"), false);
    const job = JSON.parse(j.rows[0].value) as RepriceJob;
    if (job.finishedAt) return (await client.query("ROLLBACK"), false);
    const keys = await client.query<{ trace_id: string; span_id: string }>(
      `SELECT trace_id, span_id FROM spans
        WHERE attributes ? $1 AND ($2::text IS NULL OR (trace_id, span_id) > ($2::text, $3::text))
        ORDER BY trace_id, span_id LIMIT ${REPRICE_BATCH}`,
      [COST_SOURCE_ATTR, job.cursor?.[0] ?? null, job.cursor?.[1] ?? null],
    );
    // ingest writers of these traces wait (and are waited for) as they do for each other
    await client.query("SELECT flowtrace_lock_traces($1)", [[...new Set(keys.rows.map((k) => k.trace_id))]]);
    const spans = await client.query<{ trace_id: string; span_id: string; attributes: Record<string, unknown> }>(
      `SELECT s.trace_id, s.span_id, s.attributes FROM spans s
         JOIN unnest($1::text[], $2::text[]) AS k(trace_id, span_id) ON s.trace_id = k.trace_id AND s.span_id = k.span_id
        WHERE s.attributes ? $3`,
      [keys.rows.map((k) => k.trace_id), keys.rows.map((k) => k.span_id), COST_SOURCE_ATTR],
    );
    const ids: string[] = [], sids: string[] = [], costs: (string | null)[] = [], sources: (string | null)[] = [];
    for (const s of spans.rows) {
      const a = s.attributes;
      const model = a[ATTR.model];
      const provider = a[ATTR.provider];
      const c = typeof model === "string" ? spanCost(model, typeof provider === "string" ? provider : undefined, a[ATTR.tokenUsage]) : null;
      ids.push(s.trace_id);
      sids.push(s.span_id);
      // a model no price knows any more has no cost (absent, never 0)
      costs.push(c ? JSON.stringify(costValue(c)) : null);
      sources.push(c ? JSON.stringify(c.source) : null);
    }
    if (ids.length) {
      await client.query(
        `UPDATE spans s SET attributes = CASE WHEN v.cost IS NULL THEN s.attributes - $5 - $6
                                              ELSE s.attributes || jsonb_build_object($5, v.cost::jsonb, $6, v.source::jsonb) END
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(trace_id, span_id, cost, source)
          WHERE s.trace_id = v.trace_id AND s.span_id = v.span_id`,
        [ids, sids, costs, sources, ATTR.cost, COST_SOURCE_ATTR],
      );
      // the touched traces' cost from all their spans, as flowtrace_upsert_traces counts it; a client's stays
      await client.query(
        `WITH c AS (
           SELECT sp.trace_id, count(*) FILTER (WHERE sp.attributes ? $2) AS n,
                  coalesce(sum(CASE WHEN jsonb_typeof(sp.attributes->$2->'input_cost') = 'number' THEN (sp.attributes->$2->>'input_cost')::numeric END), 0)::float8 AS i,
                  coalesce(sum(CASE WHEN jsonb_typeof(sp.attributes->$2->'output_cost') = 'number' THEN (sp.attributes->$2->>'output_cost')::numeric END), 0)::float8 AS o,
                  coalesce(sum(CASE WHEN jsonb_typeof(sp.attributes->$2->'total_cost') = 'number' THEN (sp.attributes->$2->>'total_cost')::numeric END), 0)::float8 AS t
             FROM spans sp WHERE sp.trace_id = ANY($1::text[]) GROUP BY sp.trace_id)
         UPDATE traces t SET
           cost = CASE WHEN c.n > 0 THEN c.t END,
           trace_metadata = CASE WHEN c.n > 0
             THEN t.trace_metadata || jsonb_build_object('mlflow.trace.cost', format('{"input_cost": %s, "output_cost": %s, "total_cost": %s}', c.i, c.o, c.t))
             ELSE t.trace_metadata - 'mlflow.trace.cost' END,
           updated_at = $3
          FROM c WHERE t.trace_id = c.trace_id AND NOT coalesce(t.client_cost, false)`,
        [[...new Set(ids)], ATTR.cost, Date.now()],
      );
    }
    const last = keys.rows.at(-1);
    const now = Date.now();
    const next: RepriceJob = {
      ...job,
      cursor: last ? [last.trace_id, last.span_id] : job.cursor,
      done: job.done + spans.rows.length,
      heartbeat: now,
      finishedAt: keys.rows.length < REPRICE_BATCH ? now : null,
    };
    await client.query("UPDATE server_settings SET value = $2 WHERE key = $1", [REPRICE_KEY, JSON.stringify(next)]);
    await client.query("COMMIT");
    return next.finishedAt === null;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
