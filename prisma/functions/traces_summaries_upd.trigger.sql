-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125114500_session_user_summaries 20261125124000_session_summaries_static_triggers
CREATE OR REPLACE TRIGGER traces_summaries_upd AFTER UPDATE ON "traces"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION flowtrace_trace_summaries_upd();
