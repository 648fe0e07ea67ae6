-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125114500_session_user_summaries 20261125124000_session_summaries_static_triggers 20261125160000_summary_trigger_fast_paths
-- Exact recount of the given sessions and users from "traces" (deletes, rows moving between sessions).
CREATE OR REPLACE FUNCTION flowtrace_recount_summaries(s_exp BIGINT[], s_id TEXT[], u_exp BIGINT[], u_id TEXT[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF cardinality(s_id) > 0 THEN
    DELETE FROM trace_sessions t
      USING unnest(s_exp, s_id) AS a(experiment_id, session_id)
      WHERE t.experiment_id = a.experiment_id AND t.session_id = a.session_id;
    INSERT INTO trace_sessions AS t (experiment_id, session_id, turns, first_time, last_time, total_duration,
        input_tokens, output_tokens, total_tokens, cost, error_turns, users)
      SELECT tr.experiment_id, tr.session_id, count(*), min(tr.request_time),
             max(tr.request_time + coalesce(tr.execution_duration, 0)), coalesce(sum(tr.execution_duration), 0),
             coalesce(sum(tr.input_tokens), 0), coalesce(sum(tr.output_tokens), 0), coalesce(sum(tr.total_tokens), 0),
             sum(tr.cost), count(*) FILTER (WHERE tr.state = 'ERROR' OR tr.error_count > 0),
             coalesce(array_agg(DISTINCT tr.user_id) FILTER (WHERE tr.user_id IS NOT NULL), ARRAY[]::TEXT[])
        FROM (SELECT DISTINCT * FROM unnest(s_exp, s_id) AS a(experiment_id, session_id)) a
        JOIN traces tr ON tr.experiment_id = a.experiment_id AND tr.session_id = a.session_id
       GROUP BY tr.experiment_id, tr.session_id
       ORDER BY tr.experiment_id, tr.session_id;
  END IF;
  IF cardinality(u_id) > 0 THEN
    DELETE FROM trace_users t
      USING unnest(u_exp, u_id) AS a(experiment_id, user_id)
      WHERE t.experiment_id = a.experiment_id AND t.user_id = a.user_id;
    INSERT INTO trace_users AS t (experiment_id, user_id, traces, first_time, last_time, total_duration,
        input_tokens, output_tokens, total_tokens, cost, error_turns)
      SELECT tr.experiment_id, tr.user_id, count(*), min(tr.request_time),
             max(tr.request_time + coalesce(tr.execution_duration, 0)), coalesce(sum(tr.execution_duration), 0),
             coalesce(sum(tr.input_tokens), 0), coalesce(sum(tr.output_tokens), 0), coalesce(sum(tr.total_tokens), 0),
             sum(tr.cost), count(*) FILTER (WHERE tr.state = 'ERROR' OR tr.error_count > 0)
        FROM (SELECT DISTINCT * FROM unnest(u_exp, u_id) AS a(experiment_id, user_id)) a
        JOIN traces tr ON tr.experiment_id = a.experiment_id AND tr.user_id = a.user_id
       GROUP BY tr.experiment_id, tr.user_id
       ORDER BY tr.experiment_id, tr.user_id;
  END IF;
END
$fn$;
