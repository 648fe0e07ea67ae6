-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125124000_session_summaries_static_triggers 20261125160000_summary_trigger_fast_paths
-- Adds signed rows (+1 a row now counted, -1 a row no longer counted) to the session and user summaries.
CREATE OR REPLACE FUNCTION flowtrace_apply_summary_delta(
  d_sign INT[], d_exp BIGINT[], d_session TEXT[], d_user TEXT[], d_time BIGINT[], d_duration BIGINT[],
  d_in BIGINT[], d_out BIGINT[], d_total BIGINT[], d_cost DOUBLE PRECISION[], d_failed BOOLEAN[]) RETURNS void
LANGUAGE sql AS $fn$
  WITH d AS (
    SELECT * FROM unnest(d_sign, d_exp, d_session, d_user, d_time, d_duration, d_in, d_out, d_total, d_cost, d_failed)
      AS x(sign, experiment_id, session_id, user_id, request_time, execution_duration, input_tokens, output_tokens, total_tokens, cost, failed)),
  s AS (
    SELECT experiment_id, session_id, sum(sign) AS turns,
           min(request_time) FILTER (WHERE sign > 0) AS first_time,
           max(request_time + coalesce(execution_duration, 0)) FILTER (WHERE sign > 0) AS last_time,
           coalesce(sum(sign * execution_duration), 0) AS total_duration,
           coalesce(sum(sign * input_tokens), 0) AS input_tokens, coalesce(sum(sign * output_tokens), 0) AS output_tokens,
           coalesce(sum(sign * total_tokens), 0) AS total_tokens, sum(sign * cost) AS cost,
           sum(sign * failed::int) AS error_turns,
           coalesce(array_agg(DISTINCT user_id) FILTER (WHERE sign > 0 AND user_id IS NOT NULL), ARRAY[]::TEXT[]) AS users
      FROM d WHERE session_id IS NOT NULL
     GROUP BY experiment_id, session_id
    HAVING bool_or(sign > 0)
     ORDER BY experiment_id, session_id),
  ins_s AS (
    INSERT INTO trace_sessions AS t (experiment_id, session_id, turns, first_time, last_time, total_duration,
        input_tokens, output_tokens, total_tokens, cost, error_turns, users)
    SELECT * FROM s
    ON CONFLICT (experiment_id, session_id) DO UPDATE SET
      turns = t.turns + excluded.turns,
      first_time = least(t.first_time, excluded.first_time),
      last_time = greatest(t.last_time, excluded.last_time),
      total_duration = t.total_duration + excluded.total_duration,
      input_tokens = t.input_tokens + excluded.input_tokens,
      output_tokens = t.output_tokens + excluded.output_tokens,
      total_tokens = t.total_tokens + excluded.total_tokens,
      cost = CASE WHEN excluded.cost IS NULL THEN t.cost ELSE coalesce(t.cost, 0) + excluded.cost END,
      error_turns = t.error_turns + excluded.error_turns,
      users = CASE WHEN excluded.users <@ t.users THEN t.users
                   ELSE ARRAY(SELECT DISTINCT x FROM unnest(t.users || excluded.users) x ORDER BY x) END
    RETURNING 1)
  INSERT INTO trace_users AS t (experiment_id, user_id, traces, first_time, last_time, total_duration,
      input_tokens, output_tokens, total_tokens, cost, error_turns)
  SELECT experiment_id, user_id, sum(sign),
         min(request_time) FILTER (WHERE sign > 0), max(request_time + coalesce(execution_duration, 0)) FILTER (WHERE sign > 0),
         coalesce(sum(sign * execution_duration), 0), coalesce(sum(sign * input_tokens), 0),
         coalesce(sum(sign * output_tokens), 0), coalesce(sum(sign * total_tokens), 0), sum(sign * cost),
         sum(sign * failed::int)
    FROM d WHERE user_id IS NOT NULL
   GROUP BY experiment_id, user_id
  HAVING bool_or(sign > 0)
   ORDER BY experiment_id, user_id
  ON CONFLICT (experiment_id, user_id) DO UPDATE SET
    traces = t.traces + excluded.traces,
    first_time = least(t.first_time, excluded.first_time),
    last_time = greatest(t.last_time, excluded.last_time),
    total_duration = t.total_duration + excluded.total_duration,
    input_tokens = t.input_tokens + excluded.input_tokens,
    output_tokens = t.output_tokens + excluded.output_tokens,
    total_tokens = t.total_tokens + excluded.total_tokens,
    cost = CASE WHEN excluded.cost IS NULL THEN t.cost ELSE coalesce(t.cost, 0) + excluded.cost END,
    error_turns = t.error_turns + excluded.error_turns
$fn$;
