-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125160000_summary_trigger_fast_paths
CREATE OR REPLACE FUNCTION flowtrace_trace_summaries_ins_row() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM flowtrace_apply_summary_one(NEW.experiment_id, NEW.session_id, NEW.user_id, NEW.request_time, NEW.execution_duration,
                                      NEW.input_tokens, NEW.output_tokens, NEW.total_tokens, NEW.cost,
                                      NEW.state = 'ERROR' OR NEW.error_count > 0);
  RETURN NULL;
END
$fn$;
