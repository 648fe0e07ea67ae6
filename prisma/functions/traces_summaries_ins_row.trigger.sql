-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125160000_summary_trigger_fast_paths
CREATE OR REPLACE TRIGGER traces_summaries_ins_row AFTER INSERT ON "traces" FOR EACH ROW
  WHEN ((NEW.session_id IS NOT NULL OR NEW.user_id IS NOT NULL)
        AND current_setting('flowtrace.summary_mode', true) IS DISTINCT FROM 'statement')
  EXECUTE FUNCTION flowtrace_trace_summaries_ins_row();
