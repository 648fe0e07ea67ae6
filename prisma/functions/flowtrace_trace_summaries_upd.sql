-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125124000_session_summaries_static_triggers 20261125160000_summary_trigger_fast_paths
CREATE OR REPLACE FUNCTION flowtrace_trace_summaries_upd() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  a_sign INT[]; a_exp BIGINT[]; a_session TEXT[]; a_user TEXT[]; a_time BIGINT[]; a_duration BIGINT[];
  a_in BIGINT[]; a_out BIGINT[]; a_total BIGINT[]; a_cost DOUBLE PRECISION[]; a_failed BOOLEAN[];
  s_exp BIGINT[]; s_id TEXT[]; u_exp BIGINT[]; u_id TEXT[];
BEGIN
  -- no row of this statement changed a summarized column (traces_summaries_mark did not fire)
  IF current_setting('flowtrace.summaries_changed', true) IS DISTINCT FROM 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('flowtrace.summaries_changed', 'off', true);
  -- rows whose aggregated columns changed, as -old +new pairs
  WITH changed AS (
    SELECT o.experiment_id AS o_exp, o.session_id AS o_session, o.user_id AS o_user, o.request_time AS o_time,
           o.execution_duration AS o_duration, o.input_tokens AS o_in, o.output_tokens AS o_out, o.total_tokens AS o_total,
           o.cost AS o_cost, (o.state = 'ERROR' OR o.error_count > 0) AS o_failed,
           n.experiment_id AS n_exp, n.session_id AS n_session, n.user_id AS n_user, n.request_time AS n_time,
           n.execution_duration AS n_duration, n.input_tokens AS n_in, n.output_tokens AS n_out, n.total_tokens AS n_total,
           n.cost AS n_cost, (n.state = 'ERROR' OR n.error_count > 0) AS n_failed
      FROM new_rows n JOIN old_rows o USING (trace_id)
     WHERE (n.session_id IS NOT NULL OR n.user_id IS NOT NULL OR o.session_id IS NOT NULL OR o.user_id IS NOT NULL)
       AND (n.experiment_id, n.session_id, n.user_id, n.request_time, n.execution_duration, n.input_tokens,
            n.output_tokens, n.total_tokens, n.cost, n.state = 'ERROR' OR n.error_count > 0)
           IS DISTINCT FROM
           (o.experiment_id, o.session_id, o.user_id, o.request_time, o.execution_duration, o.input_tokens,
            o.output_tokens, o.total_tokens, o.cost, o.state = 'ERROR' OR o.error_count > 0)),
  d AS (
    SELECT 1 AS sign, n_exp AS e, n_session AS s, n_user AS u, n_time AS t, n_duration AS du, n_in AS i, n_out AS o,
           n_total AS tt, n_cost AS c, n_failed AS f FROM changed
    UNION ALL
    SELECT -1, o_exp, o_session, o_user, o_time, o_duration, o_in, o_out, o_total, o_cost, o_failed FROM changed),
  moved AS (
    SELECT o_exp, o_session, o_user,
           (n_session IS DISTINCT FROM o_session OR n_exp <> o_exp OR n_time > o_time
             OR (n_user IS DISTINCT FROM o_user AND o_user IS NOT NULL)) AS session_moved,
           (n_user IS DISTINCT FROM o_user OR n_exp <> o_exp OR n_time > o_time) AS user_moved
      FROM changed)
  SELECT (SELECT array_agg(sign) FROM d), (SELECT array_agg(e) FROM d), (SELECT array_agg(s) FROM d), (SELECT array_agg(u) FROM d),
         (SELECT array_agg(t) FROM d), (SELECT array_agg(du) FROM d), (SELECT array_agg(i) FROM d), (SELECT array_agg(o) FROM d),
         (SELECT array_agg(tt) FROM d), (SELECT array_agg(c) FROM d), (SELECT array_agg(f) FROM d),
         (SELECT array_agg(o_exp) FROM moved WHERE session_moved AND o_session IS NOT NULL),
         (SELECT array_agg(o_session) FROM moved WHERE session_moved AND o_session IS NOT NULL),
         (SELECT array_agg(o_exp) FROM moved WHERE user_moved AND o_user IS NOT NULL),
         (SELECT array_agg(o_user) FROM moved WHERE user_moved AND o_user IS NOT NULL)
    INTO a_sign, a_exp, a_session, a_user, a_time, a_duration, a_in, a_out, a_total, a_cost, a_failed, s_exp, s_id, u_exp, u_id;
  IF a_sign IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM flowtrace_apply_summary_delta(a_sign, a_exp, a_session, a_user, a_time, a_duration, a_in, a_out, a_total, a_cost, a_failed);
  -- rows that left a session or user, or whose start moved later: min/max deltas cannot express that,
  -- so those are recounted exactly (rare: session and user are immutable metadata)
  IF s_id IS NOT NULL OR u_id IS NOT NULL THEN
    PERFORM flowtrace_recount_summaries(coalesce(s_exp, '{}'), coalesce(s_id, '{}'), coalesce(u_exp, '{}'), coalesce(u_id, '{}'));
  END IF;
  RETURN NULL;
END
$fn$;
