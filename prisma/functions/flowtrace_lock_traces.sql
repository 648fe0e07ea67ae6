-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125140000_ingest_functions 20261125180000_ingest_fixed_costs 20261205170000_write_batch 20261207230000_trace_info_owner
-- Serializes writers of the same traces until the end of the transaction, taken in trace-id order so two
-- writers sharing traces cannot deadlock.
-- (plpgsql rather than sql here and below: plpgsql keeps its plans for the connection's life; before
-- PostgreSQL 18, an sql function is planned again on every call.)
CREATE OR REPLACE FUNCTION flowtrace_lock_traces(ids TEXT[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
  PERFORM count(pg_advisory_xact_lock(hashtextextended(id, 7217))) FROM (SELECT DISTINCT unnest(ids) AS id ORDER BY 1) x;
END
$fn$;
