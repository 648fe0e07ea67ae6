-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- History: this statement was TRACE_INFO_CONFLICT in lib/store/ingest.ts and its copy in flowtrace_write
-- (migrations 20261205170000_write_batch, 20261207230000_trace_info_owner); it now exists only here.
--
-- StartTraceV3 (and v2 StartTrace/EndTrace) rows, distinct trace ids, merged with the stored rows: the given
-- trace-info fields win; spans, tags and metadata already stored are kept (union); the spans-location tag
-- stays while spans are held; the mlflow.artifactLocation tag is added. A row whose experiment is missing or
-- not active writes nothing, and neither does one whose trace is stored under another experiment (issue #14:
-- the WHERE of the ON CONFLICT): no row comes back for it, and lib/store/ingest/trace-info-write.ts says why.
-- Answers the rows as stored (with whether the trace has assessments).
CREATE OR REPLACE FUNCTION flowtrace_upsert_trace_infos(
  i_id TEXT[], i_exp BIGINT[], i_client TEXT[], i_t BIGINT[], i_d BIGINT[], i_state TEXT[], i_req TEXT[], i_resp TEXT[],
  i_meta JSONB[], i_tags JSONB[], i_name TEXT[], i_session TEXT[], i_user TEXT[], i_in BIGINT[], i_out BIGINT[],
  i_total BIGINT[], i_cost DOUBLE PRECISION[], i_now BIGINT)
RETURNS TABLE ("traceId" TEXT, "experimentId" BIGINT, "clientRequestId" TEXT, "requestTime" BIGINT,
  "executionDuration" BIGINT, state TEXT, "requestPreview" TEXT, "responsePreview" TEXT, metadata JSONB, tags JSONB,
  "spanCount" INT, "rootSpanId" TEXT, "hasAssessments" BOOLEAN)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  INSERT INTO traces AS t (trace_id, experiment_id, client_request_id, request_time, execution_duration, end_time, state,
      request_preview, response_preview, trace_metadata, tags, name, session_id, user_id,
      input_tokens, output_tokens, total_tokens, cost, client_cost, info_finalized, updated_at)
  SELECT v.id, e.experiment_id, v.client, v.t, v.d, v.t + v.d, v.state, v.req, v.resp, v.meta,
      v.tags || jsonb_build_object('mlflow.artifactLocation', rtrim(e.artifact_location, '/') || '/traces/' || v.id || '/artifacts'),
      v.name, v.session, v.usr, v.i, v.o, v.tt, v.c, v.meta ? 'mlflow.trace.cost', true, i_now
    FROM unnest(i_id, i_exp, i_client, i_t, i_d, i_state, i_req, i_resp, i_meta, i_tags, i_name, i_session, i_user,
                i_in, i_out, i_total, i_cost)
           AS v(id, exp, client, t, d, state, req, resp, meta, tags, name, session, usr, i, o, tt, c)
    JOIN experiments e ON e.experiment_id = v.exp AND e.lifecycle_stage = 'active'
   ORDER BY v.id
  ON CONFLICT (trace_id) DO UPDATE SET
    client_request_id = COALESCE(EXCLUDED.client_request_id, t.client_request_id),
    request_time = EXCLUDED.request_time,
    execution_duration = COALESCE(EXCLUDED.execution_duration, t.execution_duration),
    end_time = COALESCE(EXCLUDED.end_time, t.end_time),
    state = CASE WHEN EXCLUDED.state IN ('IN_PROGRESS', 'STATE_UNSPECIFIED') AND t.state NOT IN ('IN_PROGRESS', 'STATE_UNSPECIFIED')
                 THEN t.state ELSE EXCLUDED.state END,
    request_preview = COALESCE(EXCLUDED.request_preview, t.request_preview),
    response_preview = COALESCE(EXCLUDED.response_preview, t.response_preview),
    trace_metadata = t.trace_metadata || EXCLUDED.trace_metadata,
    tags = t.tags || EXCLUDED.tags,
    name = COALESCE(EXCLUDED.name, t.name),
    session_id = COALESCE(EXCLUDED.session_id, t.session_id),
    user_id = COALESCE(EXCLUDED.user_id, t.user_id),
    input_tokens = CASE WHEN EXCLUDED.trace_metadata ? 'mlflow.trace.tokenUsage' THEN EXCLUDED.input_tokens ELSE t.input_tokens END,
    output_tokens = CASE WHEN EXCLUDED.trace_metadata ? 'mlflow.trace.tokenUsage' THEN EXCLUDED.output_tokens ELSE t.output_tokens END,
    total_tokens = CASE WHEN EXCLUDED.trace_metadata ? 'mlflow.trace.tokenUsage' THEN EXCLUDED.total_tokens ELSE t.total_tokens END,
    cost = CASE WHEN EXCLUDED.trace_metadata ? 'mlflow.trace.cost' THEN EXCLUDED.cost ELSE t.cost END,
    client_cost = coalesce(t.client_cost, false) OR EXCLUDED.client_cost,
    info_finalized = true,
    updated_at = EXCLUDED.updated_at
  WHERE t.experiment_id = EXCLUDED.experiment_id
  RETURNING t.trace_id, t.experiment_id, t.client_request_id, t.request_time, t.execution_duration, t.state,
    t.request_preview, t.response_preview, t.trace_metadata, t.tags, t.span_count, t.root_span_id,
    EXISTS (SELECT 1 FROM assessments a WHERE a.trace_id = t.trace_id);
END
$fn$;
