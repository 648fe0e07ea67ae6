-- The span write path as functions (lib/store/ingest.ts): planned once per connection instead of sending and
-- re-planning a large literal INSERT … SELECT … ON CONFLICT for every request, and callable in one round trip
-- (an autocommit `SELECT flowtrace_ingest(…)` is one transaction).
--
-- Trace rows: traces new to the database are inserted with the span figures the server computed from the
-- request's spans (they are all the trace's spans); traces already stored are updated with the figures
-- recomputed from all their span rows, which is what makes repeated and out-of-order delivery converge.
-- Spans always take the experiment of their trace row, whatever experiment the request named.
--
-- Hand-written (not expressible in schema.prisma), for the schema-equivalence allow-list:
--   functions flowtrace_check_experiments(bigint[]), flowtrace_lock_traces(text[]), flowtrace_insert_spans(…),
--   flowtrace_upsert_traces(…), flowtrace_ingest(…)

-- Raises unless every experiment exists and is active: SQLSTATE P0002 (missing) or P0001 (not active),
-- the experiment id in DETAIL, the lifecycle stage after "experiment is ".
CREATE FUNCTION flowtrace_check_experiments(exps BIGINT[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
  r RECORD;
BEGIN
  FOR r IN SELECT u.id, e.lifecycle_stage FROM (SELECT DISTINCT unnest(exps) AS id) u
             LEFT JOIN experiments e ON e.experiment_id = u.id LOOP
    IF r.lifecycle_stage IS NULL THEN
      RAISE EXCEPTION 'flowtrace: experiment does not exist' USING ERRCODE = 'P0002', DETAIL = r.id::text;
    END IF;
    IF r.lifecycle_stage <> 'active' THEN
      RAISE EXCEPTION 'flowtrace: experiment is %', r.lifecycle_stage USING ERRCODE = 'P0001', DETAIL = r.id::text;
    END IF;
  END LOOP;
END
$fn$;

-- Serializes writers of the same traces until the end of the transaction, taken in trace-id order so two
-- writers sharing traces cannot deadlock.
-- (plpgsql rather than sql here and below: plpgsql keeps its plans for the connection's life; before
-- PostgreSQL 18, an sql function is planned again on every call.)
CREATE FUNCTION flowtrace_lock_traces(ids TEXT[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
  PERFORM count(pg_advisory_xact_lock(hashtextextended(id, 7217))) FROM (SELECT DISTINCT unnest(ids) AS id ORDER BY 1) x;
END
$fn$;

-- Span rows; a span already stored is replaced (the caller passes each (trace_id, span_id) once).
CREATE FUNCTION flowtrace_insert_spans(
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

-- One row per touched trace (trace ids distinct). t_meta / t_tags are what the spans of this write derive;
-- the span figures (count, errors, token and cost sums over the write's spans; sums as exact decimals) are
-- used for traces new to the database. Returns the number of trace rows written.
CREATE FUNCTION flowtrace_upsert_traces(
  t_id TEXT[], t_exp BIGINT[], t_start BIGINT[], t_end BIGINT[], t_state TEXT[], t_root TEXT[], t_request TEXT[],
  t_response TEXT[], t_meta JSONB[], t_tags JSONB[], t_spans INT[], t_errors INT[], t_token_spans INT[],
  t_input_tokens NUMERIC[], t_output_tokens NUMERIC[], t_total_tokens NUMERIC[], t_cost_spans INT[],
  t_input_cost NUMERIC[], t_output_cost NUMERIC[], t_total_cost NUMERIC[], now_ms BIGINT) RETURNS int
LANGUAGE plpgsql
-- One generic plan per statement and connection: the arrays' sizes change every call, and custom plans
-- (PostgreSQL's choice for such parameters) re-plan these large statements on every call, which measured
-- as most of the function's time. The plan may be made while `traces` is still small: without
-- enable_seqscan = off, such a plan (a hash join over a sequential scan of traces) stays cached as the table
-- grows. Every access here is by primary key.
-- jit = off: before PostgreSQL 18, a disabled sequential scan adds 10^10 to a plan's cost, which would
-- trigger JIT compilation on every call.
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $fn$
DECLARE
  existing TEXT[];
  fresh TEXT[];
  moved TEXT[];
  updated INT := 0;
BEGIN
  -- traces already stored (one index probe each): they skip the insert below and take the merge
  SELECT array_agg(t.trace_id) INTO existing FROM traces t WHERE t.trace_id = ANY(t_id);

  -- (a statement costs its setup and its statement triggers even when it has no rows: skipped when it would)
  IF coalesce(cardinality(existing), 0) < cardinality(t_id) THEN
  WITH v AS (
    SELECT * FROM unnest(t_id, t_exp, t_start, t_end, t_state, t_root, t_request, t_response, t_meta, t_tags, t_spans,
                         t_errors, t_token_spans, t_input_tokens, t_output_tokens, t_total_tokens, t_cost_spans,
                         t_input_cost, t_output_cost, t_total_cost)
      AS x(trace_id, exp, start_ms, end_ms, state, root, request, response, meta, tags, n, errors, token_spans,
           input_tokens, output_tokens, total_tokens, cost_spans, input_cost, output_cost, total_cost)
     WHERE existing IS NULL OR x.trace_id <> ALL(existing)),
  a AS (
    SELECT v.*, round(coalesce(v.input_tokens, 0))::bigint AS in_t, round(coalesce(v.output_tokens, 0))::bigint AS out_t,
           round(coalesce(v.total_tokens, 0))::bigint AS total_t, coalesce(v.input_cost, 0)::float8 AS in_c,
           coalesce(v.output_cost, 0)::float8 AS out_c, coalesce(v.total_cost, 0)::float8 AS total_c
      FROM v),
  ins AS (
    INSERT INTO traces AS t (trace_id, experiment_id, request_time, end_time, execution_duration, state, root_span_id,
        request_preview, response_preview, name, session_id, user_id, trace_metadata, tags,
        span_count, error_count, input_tokens, output_tokens, total_tokens, cost, updated_at)
    SELECT a.trace_id, a.exp, a.start_ms, a.end_ms, a.end_ms - a.start_ms, a.state, a.root, a.request, a.response,
        a.tags->>'mlflow.traceName', a.meta->>'mlflow.trace.session', a.meta->>'mlflow.trace.user',
        a.meta
          || CASE WHEN a.token_spans > 0 THEN jsonb_build_object('mlflow.trace.tokenUsage',
               format('{"input_tokens": %s, "output_tokens": %s, "total_tokens": %s}', a.in_t, a.out_t, a.total_t)) ELSE '{}'::jsonb END
          || CASE WHEN a.cost_spans > 0 THEN jsonb_build_object('mlflow.trace.cost',
               format('{"input_cost": %s, "output_cost": %s, "total_cost": %s}', a.in_c, a.out_c, a.total_c)) ELSE '{}'::jsonb END,
        a.tags || jsonb_build_object('mlflow.artifactLocation', rtrim(e.artifact_location, '/') || '/traces/' || a.trace_id || '/artifacts',
                                     'mlflow.trace.spansLocation', 'TRACKING_STORE'),
        a.n, a.errors,
        CASE WHEN a.token_spans > 0 THEN a.in_t END, CASE WHEN a.token_spans > 0 THEN a.out_t END,
        CASE WHEN a.token_spans > 0 THEN a.total_t END, CASE WHEN a.cost_spans > 0 THEN a.total_c END,
        now_ms
      FROM a JOIN experiments e ON e.experiment_id = a.exp
     ORDER BY a.trace_id
    ON CONFLICT (trace_id) DO NOTHING
    RETURNING t.trace_id)
  SELECT array_agg(trace_id) INTO fresh FROM ins;
  END IF;

  IF coalesce(cardinality(fresh), 0) < cardinality(t_id) THEN
    -- traces already stored: merge, with the span figures recomputed from all their span rows (this write's
    -- included). The aggregate is correlated with each trace id (a LATERAL join), so it is a primary-key
    -- range scan whatever the statistics say.
    WITH v AS (
      SELECT * FROM unnest(t_id, t_exp, t_start, t_end, t_state, t_root, t_request, t_response, t_meta, t_tags)
        AS x(trace_id, exp, start_ms, end_ms, state, root, request, response, meta, tags)
       WHERE fresh IS NULL OR x.trace_id <> ALL(fresh)),
    x AS (
      SELECT v.*, coalesce(s.n, 0) AS n, coalesce(s.errors, 0) AS errors,
             CASE WHEN s.token_spans > 0 THEN s.input_tokens END AS in_t,
             CASE WHEN s.token_spans > 0 THEN s.output_tokens END AS out_t,
             CASE WHEN s.token_spans > 0 THEN s.total_tokens END AS total_t,
             CASE WHEN s.cost_spans > 0 THEN s.total_cost END AS total_c,
             v.meta
               || CASE WHEN s.token_spans > 0 THEN jsonb_build_object('mlflow.trace.tokenUsage',
                    format('{"input_tokens": %s, "output_tokens": %s, "total_tokens": %s}', s.input_tokens, s.output_tokens, s.total_tokens)) ELSE '{}'::jsonb END
               || CASE WHEN s.cost_spans > 0 THEN jsonb_build_object('mlflow.trace.cost',
                    format('{"input_cost": %s, "output_cost": %s, "total_cost": %s}', s.input_cost, s.output_cost, s.total_cost)) ELSE '{}'::jsonb END
               AS full_meta
        FROM v
        LEFT JOIN LATERAL (
          SELECT count(*)::int AS n,
                 (count(*) FILTER (WHERE sp.status_code = 'ERROR'))::int AS errors,
                 count(*) FILTER (WHERE sp.attributes ? 'mlflow.chat.tokenUsage') AS token_spans,
                 coalesce(round(sum(CASE WHEN jsonb_typeof(sp.attributes->'mlflow.chat.tokenUsage'->'input_tokens') = 'number'
                                    THEN (sp.attributes->'mlflow.chat.tokenUsage'->>'input_tokens')::numeric END)), 0)::bigint AS input_tokens,
                 coalesce(round(sum(CASE WHEN jsonb_typeof(sp.attributes->'mlflow.chat.tokenUsage'->'output_tokens') = 'number'
                                    THEN (sp.attributes->'mlflow.chat.tokenUsage'->>'output_tokens')::numeric END)), 0)::bigint AS output_tokens,
                 coalesce(round(sum(CASE WHEN jsonb_typeof(sp.attributes->'mlflow.chat.tokenUsage'->'total_tokens') = 'number'
                                    THEN (sp.attributes->'mlflow.chat.tokenUsage'->>'total_tokens')::numeric END)), 0)::bigint AS total_tokens,
                 count(*) FILTER (WHERE sp.attributes ? 'mlflow.llm.cost') AS cost_spans,
                 coalesce(sum(CASE WHEN jsonb_typeof(sp.attributes->'mlflow.llm.cost'->'input_cost') = 'number'
                                   THEN (sp.attributes->'mlflow.llm.cost'->>'input_cost')::numeric END), 0)::float8 AS input_cost,
                 coalesce(sum(CASE WHEN jsonb_typeof(sp.attributes->'mlflow.llm.cost'->'output_cost') = 'number'
                                   THEN (sp.attributes->'mlflow.llm.cost'->>'output_cost')::numeric END), 0)::float8 AS output_cost,
                 coalesce(sum(CASE WHEN jsonb_typeof(sp.attributes->'mlflow.llm.cost'->'total_cost') = 'number'
                                   THEN (sp.attributes->'mlflow.llm.cost'->>'total_cost')::numeric END), 0)::float8 AS total_cost
            FROM spans sp WHERE sp.trace_id = v.trace_id) s ON true),
    merged AS (
      -- tags/metadata: values StartTraceV3 wrote (info_finalized) win over derived ones; otherwise the newest
      -- derivation wins
      SELECT x.*, t.trace_id AS tid,
             CASE WHEN t.info_finalized THEN x.full_meta || t.trace_metadata ELSE t.trace_metadata || x.full_meta END AS m_meta,
             -- (the stored tags hold mlflow.artifactLocation since the row was made)
             CASE WHEN t.info_finalized THEN x.tags || t.tags ELSE t.tags || x.tags END
               || '{"mlflow.trace.spansLocation": "TRACKING_STORE"}'::jsonb AS m_tags,
             (t.info_finalized AND t.trace_metadata ? 'mlflow.trace.tokenUsage') AS client_tokens,
             (t.info_finalized AND t.trace_metadata ? 'mlflow.trace.cost') AS client_cost,
             t.experiment_id <> x.exp AS other_experiment
        FROM x JOIN traces t ON t.trace_id = x.trace_id),
    upd AS (
      UPDATE traces t SET
        request_time = CASE WHEN t.info_finalized THEN t.request_time ELSE LEAST(t.request_time, m.start_ms) END,
        end_time = CASE WHEN t.info_finalized AND t.execution_duration IS NOT NULL THEN t.end_time ELSE GREATEST(t.end_time, m.end_ms) END,
        execution_duration = CASE WHEN t.info_finalized AND t.execution_duration IS NOT NULL THEN t.execution_duration
          ELSE GREATEST(t.end_time, m.end_ms) - CASE WHEN t.info_finalized THEN t.request_time ELSE LEAST(t.request_time, m.start_ms) END END,
        state = CASE WHEN m.root IS NOT NULL AND t.state IN ('IN_PROGRESS', 'STATE_UNSPECIFIED') THEN m.state ELSE t.state END,
        root_span_id = COALESCE(m.root, t.root_span_id),
        request_preview = CASE WHEN t.info_finalized THEN COALESCE(t.request_preview, m.request) ELSE COALESCE(m.request, t.request_preview) END,
        response_preview = CASE WHEN t.info_finalized THEN COALESCE(t.response_preview, m.response) ELSE COALESCE(m.response, t.response_preview) END,
        trace_metadata = m.m_meta,
        tags = m.m_tags,
        name = m.m_tags->>'mlflow.traceName',
        session_id = m.m_meta->>'mlflow.trace.session',
        user_id = m.m_meta->>'mlflow.trace.user',
        span_count = m.n,
        error_count = m.errors,
        input_tokens = CASE WHEN m.client_tokens THEN t.input_tokens ELSE m.in_t END,
        output_tokens = CASE WHEN m.client_tokens THEN t.output_tokens ELSE m.out_t END,
        total_tokens = CASE WHEN m.client_tokens THEN t.total_tokens ELSE m.total_t END,
        cost = CASE WHEN m.client_cost THEN t.cost ELSE m.total_c END,
        updated_at = now_ms
      FROM merged m
      WHERE t.trace_id = m.tid
      RETURNING t.trace_id, m.other_experiment)
    SELECT count(*), array_agg(trace_id) FILTER (WHERE other_experiment) INTO updated, moved FROM upd;

    IF moved IS NOT NULL THEN
      UPDATE spans s SET experiment_id = t.experiment_id
        FROM traces t
       WHERE t.trace_id = ANY(moved) AND s.trace_id = t.trace_id AND s.experiment_id <> t.experiment_id;
    END IF;
  END IF;
  RETURN coalesce(cardinality(fresh), 0) + updated;
END
$fn$;

-- A whole small write in one call: experiments checked, traces locked, spans stored, trace rows upserted.
CREATE FUNCTION flowtrace_ingest(
  s_trace TEXT[], s_span TEXT[], s_parent TEXT[], s_exp BIGINT[], s_name TEXT[], s_type TEXT[], s_start BIGINT[],
  s_end BIGINT[], s_status TEXT[], s_message TEXT[], s_attributes JSONB[], s_inputs TEXT[], s_outputs TEXT[],
  s_events JSONB[],
  t_id TEXT[], t_exp BIGINT[], t_start BIGINT[], t_end BIGINT[], t_state TEXT[], t_root TEXT[], t_request TEXT[],
  t_response TEXT[], t_meta JSONB[], t_tags JSONB[], t_spans INT[], t_errors INT[], t_token_spans INT[],
  t_input_tokens NUMERIC[], t_output_tokens NUMERIC[], t_total_tokens NUMERIC[], t_cost_spans INT[],
  t_input_cost NUMERIC[], t_output_cost NUMERIC[], t_total_cost NUMERIC[], now_ms BIGINT) RETURNS int
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM flowtrace_check_experiments(t_exp);
  PERFORM flowtrace_lock_traces(t_id);
  PERFORM flowtrace_insert_spans(s_trace, s_span, s_parent, s_exp, s_name, s_type, s_start, s_end, s_status, s_message,
                                 s_attributes, s_inputs, s_outputs, s_events);
  RETURN flowtrace_upsert_traces(t_id, t_exp, t_start, t_end, t_state, t_root, t_request, t_response, t_meta, t_tags,
                                 t_spans, t_errors, t_token_spans, t_input_tokens, t_output_tokens, t_total_tokens,
                                 t_cost_spans, t_input_cost, t_output_cost, t_total_cost, now_ms);
END
$fn$;
