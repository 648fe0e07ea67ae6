-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261205170000_write_batch 20261207230000_trace_info_owner
-- StartTraceV3 rows and span writes waiting at the same moment, in one transaction and one round trip
-- (lib/store/ingest/shared-writer.ts): the trace-info rows (flowtrace_upsert_trace_infos, answered with the
-- rows as stored), then the spans and their trace rows (flowtrace_ingest). Every trace of the write is locked
-- first, in trace-id order, as flowtrace_ingest and the COPY writes lock theirs, so a trace named by both
-- parts, or by another writer, cannot deadlock. Statements run in order: the span part sees the rows the info
-- part wrote, as if the two requests had come one after the other.
-- (the signature before t_model, dropped so that the new one replaces it rather than standing beside it)
DROP FUNCTION IF EXISTS flowtrace_write(TEXT[], BIGINT[], TEXT[], BIGINT[], BIGINT[], TEXT[], TEXT[], TEXT[], JSONB[], JSONB[], TEXT[], TEXT[], TEXT[], BIGINT[], BIGINT[], BIGINT[], DOUBLE PRECISION[], BIGINT,
  TEXT[], TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[], BIGINT[], BIGINT[], TEXT[], TEXT[], JSONB[], TEXT[], TEXT[], JSONB[],
  TEXT[], BIGINT[], BIGINT[], BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], JSONB[], JSONB[], INT[], INT[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], BIGINT);

-- (the signature before t_request_fallback/t_response_fallback, dropped likewise)
DROP FUNCTION IF EXISTS flowtrace_write(TEXT[], BIGINT[], TEXT[], BIGINT[], BIGINT[], TEXT[], TEXT[], TEXT[], JSONB[], JSONB[], TEXT[], TEXT[], TEXT[], BIGINT[], BIGINT[], BIGINT[], DOUBLE PRECISION[], BIGINT, TEXT[], TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[], BIGINT[], BIGINT[], TEXT[], TEXT[], JSONB[], TEXT[], TEXT[], JSONB[], TEXT[], BIGINT[], BIGINT[], BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], JSONB[], JSONB[], INT[], INT[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], TEXT[], BIGINT);

CREATE OR REPLACE FUNCTION flowtrace_write(
  i_id TEXT[], i_exp BIGINT[], i_client TEXT[], i_t BIGINT[], i_d BIGINT[], i_state TEXT[], i_req TEXT[], i_resp TEXT[],
  i_meta JSONB[], i_tags JSONB[], i_name TEXT[], i_session TEXT[], i_user TEXT[], i_in BIGINT[], i_out BIGINT[],
  i_total BIGINT[], i_cost DOUBLE PRECISION[], i_now BIGINT,
  s_trace TEXT[], s_span TEXT[], s_parent TEXT[], s_exp BIGINT[], s_name TEXT[], s_type TEXT[], s_start BIGINT[],
  s_end BIGINT[], s_status TEXT[], s_message TEXT[], s_attributes JSONB[], s_inputs TEXT[], s_outputs TEXT[],
  s_events JSONB[],
  t_id TEXT[], t_exp BIGINT[], t_start BIGINT[], t_end BIGINT[], t_state TEXT[], t_root TEXT[], t_request TEXT[],
  t_response TEXT[], t_meta JSONB[], t_tags JSONB[], t_spans INT[], t_errors INT[], t_token_spans INT[],
  t_input_tokens NUMERIC[], t_output_tokens NUMERIC[], t_total_tokens NUMERIC[], t_cost_spans INT[],
  t_input_cost NUMERIC[], t_output_cost NUMERIC[], t_total_cost NUMERIC[], t_model TEXT[], t_request_fallback TEXT[], t_response_fallback TEXT[], now_ms BIGINT)
RETURNS TABLE ("traceId" TEXT, "experimentId" BIGINT, "clientRequestId" TEXT, "requestTime" BIGINT,
  "executionDuration" BIGINT, state TEXT, "requestPreview" TEXT, "responsePreview" TEXT, metadata JSONB, tags JSONB,
  "spanCount" INT, "rootSpanId" TEXT, "hasAssessments" BOOLEAN)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
#variable_conflict use_column
BEGIN
  PERFORM flowtrace_lock_traces(i_id || t_id);

  RETURN QUERY SELECT * FROM flowtrace_upsert_trace_infos(i_id, i_exp, i_client, i_t, i_d, i_state, i_req, i_resp, i_meta,
    i_tags, i_name, i_session, i_user, i_in, i_out, i_total, i_cost, i_now);

  PERFORM flowtrace_ingest(s_trace, s_span, s_parent, s_exp, s_name, s_type, s_start, s_end, s_status, s_message,
                           s_attributes, s_inputs, s_outputs, s_events,
                           t_id, t_exp, t_start, t_end, t_state, t_root, t_request, t_response, t_meta, t_tags,
                           t_spans, t_errors, t_token_spans, t_input_tokens, t_output_tokens, t_total_tokens,
                           t_cost_spans, t_input_cost, t_output_cost, t_total_cost, t_model, t_request_fallback, t_response_fallback, now_ms);
END
$fn$;
