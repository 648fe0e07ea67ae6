-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125124000_session_summaries_static_triggers 20261125160000_summary_trigger_fast_paths
CREATE OR REPLACE FUNCTION flowtrace_trace_summaries_ins() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  a_sign INT[]; a_exp BIGINT[]; a_session TEXT[]; a_user TEXT[]; a_time BIGINT[]; a_duration BIGINT[];
  a_in BIGINT[]; a_out BIGINT[]; a_total BIGINT[]; a_cost DOUBLE PRECISION[]; a_failed BOOLEAN[];
BEGIN
  -- outside the bulk write functions, traces_summaries_ins_row has counted each row already
  IF current_setting('flowtrace.summary_mode', true) IS DISTINCT FROM 'statement' THEN
    RETURN NULL;
  END IF;
  SELECT array_agg(1), array_agg(experiment_id), array_agg(session_id), array_agg(user_id), array_agg(request_time),
         array_agg(execution_duration), array_agg(input_tokens), array_agg(output_tokens), array_agg(total_tokens),
         array_agg(cost), array_agg(state = 'ERROR' OR error_count > 0)
    INTO a_sign, a_exp, a_session, a_user, a_time, a_duration, a_in, a_out, a_total, a_cost, a_failed
    FROM new_rows WHERE session_id IS NOT NULL OR user_id IS NOT NULL;
  IF a_sign IS NULL THEN
    RETURN NULL;
  END IF;
  IF cardinality(a_sign) = 1 THEN
    PERFORM flowtrace_apply_summary_one(a_exp[1], a_session[1], a_user[1], a_time[1], a_duration[1], a_in[1], a_out[1],
                                        a_total[1], a_cost[1], a_failed[1]);
  ELSE
    PERFORM flowtrace_apply_summary_delta(a_sign, a_exp, a_session, a_user, a_time, a_duration, a_in, a_out, a_total, a_cost, a_failed);
  END IF;
  RETURN NULL;
END
$fn$;
