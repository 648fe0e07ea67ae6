-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125140000_ingest_functions
-- Span rows; a span already stored is replaced (the caller passes each (trace_id, span_id) once).
CREATE OR REPLACE FUNCTION flowtrace_insert_spans(
  s_trace TEXT[], s_span TEXT[], s_parent TEXT[], s_exp BIGINT[], s_name TEXT[], s_type TEXT[], s_start BIGINT[],
  s_end BIGINT[], s_status TEXT[], s_message TEXT[], s_attributes JSONB[], s_inputs TEXT[], s_outputs TEXT[],
  s_events JSONB[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
  INSERT INTO spans AS s (trace_id, span_id, parent_span_id, experiment_id, name, span_type, start_time_ns, end_time_ns,
      status_code, status_message, attributes, inputs, outputs, events)
  SELECT * FROM unnest(s_trace, s_span, s_parent, s_exp, s_name, s_type, s_start, s_end, s_status, s_message,
                       s_attributes, s_inputs, s_outputs, s_events)
  ON CONFLICT (trace_id, span_id) DO UPDATE SET
    parent_span_id = EXCLUDED.parent_span_id, experiment_id = EXCLUDED.experiment_id, name = EXCLUDED.name,
    span_type = EXCLUDED.span_type, start_time_ns = EXCLUDED.start_time_ns, end_time_ns = EXCLUDED.end_time_ns,
    status_code = EXCLUDED.status_code, status_message = EXCLUDED.status_message, attributes = EXCLUDED.attributes,
    inputs = EXCLUDED.inputs, outputs = EXCLUDED.outputs, events = EXCLUDED.events;
END
$fn$;
