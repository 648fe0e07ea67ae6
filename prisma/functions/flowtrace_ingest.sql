-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125140000_ingest_functions 20261125180000_ingest_fixed_costs 20261205170000_write_batch 20261207230000_trace_info_owner
-- A whole small write in one call: experiments checked, traces locked, spans stored, trace rows upserted.
-- (the signature before t_model, dropped so that the new one replaces it rather than standing beside it)
DROP FUNCTION IF EXISTS flowtrace_ingest(TEXT[], TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[], BIGINT[], BIGINT[], TEXT[], TEXT[], JSONB[], TEXT[], TEXT[], JSONB[],
  TEXT[], BIGINT[], BIGINT[], BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], JSONB[], JSONB[], INT[], INT[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], BIGINT);

-- (the signature before t_request_fallback/t_response_fallback, dropped likewise)
DROP FUNCTION IF EXISTS flowtrace_ingest(TEXT[], TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[], BIGINT[], BIGINT[], TEXT[], TEXT[], JSONB[], TEXT[], TEXT[], JSONB[], TEXT[], BIGINT[], BIGINT[], BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], JSONB[], JSONB[], INT[], INT[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], TEXT[], BIGINT);

CREATE OR REPLACE FUNCTION flowtrace_ingest(
  s_trace TEXT[], s_span TEXT[], s_parent TEXT[], s_exp BIGINT[], s_name TEXT[], s_type TEXT[], s_start BIGINT[],
  s_end BIGINT[], s_status TEXT[], s_message TEXT[], s_attributes JSONB[], s_inputs TEXT[], s_outputs TEXT[],
  s_events JSONB[],
  t_id TEXT[], t_exp BIGINT[], t_start BIGINT[], t_end BIGINT[], t_state TEXT[], t_root TEXT[], t_request TEXT[],
  t_response TEXT[], t_meta JSONB[], t_tags JSONB[], t_spans INT[], t_errors INT[], t_token_spans INT[],
  t_input_tokens NUMERIC[], t_output_tokens NUMERIC[], t_total_tokens NUMERIC[], t_cost_spans INT[],
  t_input_cost NUMERIC[], t_output_cost NUMERIC[], t_total_cost NUMERIC[], t_model TEXT[], t_request_fallback TEXT[], t_response_fallback TEXT[], now_ms BIGINT) RETURNS int
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM flowtrace_check_experiments(t_exp);
  PERFORM flowtrace_lock_traces(t_id);
  PERFORM flowtrace_insert_spans(s_trace, s_span, s_parent, s_exp, s_name, s_type, s_start, s_end, s_status, s_message,
                                 s_attributes, s_inputs, s_outputs, s_events);
  RETURN flowtrace_upsert_traces(t_id, t_exp, t_start, t_end, t_state, t_root, t_request, t_response, t_meta, t_tags,
                                 t_spans, t_errors, t_token_spans, t_input_tokens, t_output_tokens, t_total_tokens,
                                 t_cost_spans, t_input_cost, t_output_cost, t_total_cost, t_model, t_request_fallback, t_response_fallback, now_ms);
END
$fn$;
