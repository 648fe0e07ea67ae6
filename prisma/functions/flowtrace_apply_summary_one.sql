-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125160000_summary_trigger_fast_paths
-- +1 for one trace: the single-row case of flowtrace_apply_summary_delta, with the same arithmetic (two
-- upserts with cached plans instead of the array aggregate's six-part query).
CREATE OR REPLACE FUNCTION flowtrace_apply_summary_one(
  a_exp BIGINT, a_session TEXT, a_user TEXT, a_time BIGINT, a_duration BIGINT, a_in BIGINT, a_out BIGINT,
  a_total BIGINT, a_cost DOUBLE PRECISION, a_failed BOOLEAN) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF a_session IS NOT NULL THEN
    INSERT INTO trace_sessions AS t (experiment_id, session_id, turns, first_time, last_time, total_duration,
        input_tokens, output_tokens, total_tokens, cost, error_turns, users)
    VALUES (a_exp, a_session, 1, a_time, a_time + coalesce(a_duration, 0), coalesce(a_duration, 0),
        coalesce(a_in, 0), coalesce(a_out, 0), coalesce(a_total, 0), a_cost, coalesce(a_failed, false)::int,
        CASE WHEN a_user IS NULL THEN ARRAY[]::TEXT[] ELSE ARRAY[a_user] END)
    ON CONFLICT (experiment_id, session_id) DO UPDATE SET
      turns = t.turns + 1,
      first_time = least(t.first_time, excluded.first_time),
      last_time = greatest(t.last_time, excluded.last_time),
      total_duration = t.total_duration + excluded.total_duration,
      input_tokens = t.input_tokens + excluded.input_tokens,
      output_tokens = t.output_tokens + excluded.output_tokens,
      total_tokens = t.total_tokens + excluded.total_tokens,
      cost = CASE WHEN excluded.cost IS NULL THEN t.cost ELSE coalesce(t.cost, 0) + excluded.cost END,
      error_turns = t.error_turns + excluded.error_turns,
      users = CASE WHEN excluded.users <@ t.users THEN t.users
                   ELSE ARRAY(SELECT DISTINCT x FROM unnest(t.users || excluded.users) x ORDER BY x) END;
  END IF;
  IF a_user IS NOT NULL THEN
    INSERT INTO trace_users AS t (experiment_id, user_id, traces, first_time, last_time, total_duration,
        input_tokens, output_tokens, total_tokens, cost, error_turns)
    VALUES (a_exp, a_user, 1, a_time, a_time + coalesce(a_duration, 0), coalesce(a_duration, 0),
        coalesce(a_in, 0), coalesce(a_out, 0), coalesce(a_total, 0), a_cost, coalesce(a_failed, false)::int)
    ON CONFLICT (experiment_id, user_id) DO UPDATE SET
      traces = t.traces + 1,
      first_time = least(t.first_time, excluded.first_time),
      last_time = greatest(t.last_time, excluded.last_time),
      total_duration = t.total_duration + excluded.total_duration,
      input_tokens = t.input_tokens + excluded.input_tokens,
      output_tokens = t.output_tokens + excluded.output_tokens,
      total_tokens = t.total_tokens + excluded.total_tokens,
      cost = CASE WHEN excluded.cost IS NULL THEN t.cost ELSE coalesce(t.cost, 0) + excluded.cost END,
      error_turns = t.error_turns + excluded.error_turns;
  END IF;
END
$fn$;
