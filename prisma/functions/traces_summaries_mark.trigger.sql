-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125160000_summary_trigger_fast_paths
-- The same test as the `changed` CTE of flowtrace_trace_summaries_upd. Row-level AFTER triggers fire before
-- the statement-level AFTER trigger of the same statement.
CREATE OR REPLACE TRIGGER traces_summaries_mark AFTER UPDATE ON "traces" FOR EACH ROW
  WHEN ((NEW.session_id IS NOT NULL OR NEW.user_id IS NOT NULL OR OLD.session_id IS NOT NULL OR OLD.user_id IS NOT NULL)
        AND (NEW.experiment_id, NEW.session_id, NEW.user_id, NEW.request_time, NEW.execution_duration, NEW.input_tokens,
             NEW.output_tokens, NEW.total_tokens, NEW.cost, NEW.state = 'ERROR' OR NEW.error_count > 0)
            IS DISTINCT FROM
            (OLD.experiment_id, OLD.session_id, OLD.user_id, OLD.request_time, OLD.execution_duration, OLD.input_tokens,
             OLD.output_tokens, OLD.total_tokens, OLD.cost, OLD.state = 'ERROR' OR OLD.error_count > 0))
  EXECUTE FUNCTION flowtrace_trace_summaries_mark();
