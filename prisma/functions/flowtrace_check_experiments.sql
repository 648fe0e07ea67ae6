-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125140000_ingest_functions 20261125180000_ingest_fixed_costs
-- Raises unless every experiment exists and is active: SQLSTATE P0002 (missing) or P0001 (not active),
-- the experiment id in DETAIL, the lifecycle stage after "experiment is ".
CREATE OR REPLACE FUNCTION flowtrace_check_experiments(exps BIGINT[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
  bad_id BIGINT;
  bad_stage TEXT;
BEGIN
  SELECT u.id, coalesce(e.lifecycle_stage, '') INTO bad_id, bad_stage
    FROM unnest(exps) AS u(id) LEFT JOIN experiments e ON e.experiment_id = u.id
   WHERE e.lifecycle_stage IS DISTINCT FROM 'active'
   LIMIT 1;
  IF bad_id IS NULL THEN
    RETURN;
  END IF;
  IF bad_stage = '' THEN
    RAISE EXCEPTION 'flowtrace: experiment does not exist' USING ERRCODE = 'P0002', DETAIL = bad_id::text;
  END IF;
  RAISE EXCEPTION 'flowtrace: experiment is %', bad_stage USING ERRCODE = 'P0001', DETAIL = bad_id::text;
END
$fn$;
