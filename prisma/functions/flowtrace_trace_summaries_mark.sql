-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125160000_summary_trigger_fast_paths
-- Marks the transaction: a row of this statement changed a summarized column.
CREATE OR REPLACE FUNCTION flowtrace_trace_summaries_mark() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM set_config('flowtrace.summaries_changed', 'on', true);
  RETURN NULL;
END
$fn$;
