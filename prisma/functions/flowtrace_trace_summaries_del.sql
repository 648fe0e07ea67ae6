-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125124000_session_summaries_static_triggers
CREATE OR REPLACE FUNCTION flowtrace_trace_summaries_del() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  s_exp BIGINT[]; s_id TEXT[]; u_exp BIGINT[]; u_id TEXT[];
BEGIN
  SELECT array_agg(experiment_id), array_agg(session_id) INTO s_exp, s_id
    FROM (SELECT DISTINCT experiment_id, session_id FROM old_rows WHERE session_id IS NOT NULL) x;
  SELECT array_agg(experiment_id), array_agg(user_id) INTO u_exp, u_id
    FROM (SELECT DISTINCT experiment_id, user_id FROM old_rows WHERE user_id IS NOT NULL) x;
  IF s_id IS NOT NULL OR u_id IS NOT NULL THEN
    PERFORM flowtrace_recount_summaries(coalesce(s_exp, '{}'), coalesce(s_id, '{}'), coalesce(u_exp, '{}'), coalesce(u_id, '{}'));
  END IF;
  RETURN NULL;
END
$fn$;
