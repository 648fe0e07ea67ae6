-- Current definition: lib/server/migrate.ts applies this file whenever it changes.
-- Migrations that mention it (history): 20261125140000_ingest_functions 20261125160000_summary_trigger_fast_paths 20261125180000_ingest_fixed_costs
-- One row per touched trace (trace ids distinct). t_meta / t_tags are what the spans of this write derive;
-- the span figures (count, errors, token and cost sums over the write's spans; sums as exact decimals) are
-- used for traces new to the database, and for a stored row that has no spans yet (the row StartTraceV3 made,
-- the TypeScript SDK's case: ~35 us per trace less than recounting the span rows just inserted); any other
-- stored row is recounted from all its span rows. The same holds for the model (the LLM model of the trace:
-- that of its earliest-starting span carrying mlflow.llm.model, ties by span id), so that spans arriving in
-- several writes converge on it. Returns the number of trace rows written.
-- (the signature before t_model, dropped so that the new one replaces it rather than standing beside it)
DROP FUNCTION IF EXISTS flowtrace_upsert_traces(TEXT[], BIGINT[], BIGINT[], BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], JSONB[], JSONB[], INT[], INT[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], BIGINT);

-- (the signature before t_request_fallback/t_response_fallback, dropped likewise)
DROP FUNCTION IF EXISTS flowtrace_upsert_traces(TEXT[], BIGINT[], BIGINT[], BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], JSONB[], JSONB[], INT[], INT[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], TEXT[], BIGINT);

CREATE OR REPLACE FUNCTION flowtrace_upsert_traces(
  t_id TEXT[], t_exp BIGINT[], t_start BIGINT[], t_end BIGINT[], t_state TEXT[], t_root TEXT[], t_request TEXT[],
  t_response TEXT[], t_meta JSONB[], t_tags JSONB[], t_spans INT[], t_errors INT[], t_token_spans INT[],
  t_input_tokens NUMERIC[], t_output_tokens NUMERIC[], t_total_tokens NUMERIC[], t_cost_spans INT[],
  t_input_cost NUMERIC[], t_output_cost NUMERIC[], t_total_cost NUMERIC[], t_model TEXT[], t_request_fallback TEXT[], t_response_fallback TEXT[], now_ms BIGINT) RETURNS int
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
SET flowtrace.summary_mode = 'statement'
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
                         t_input_cost, t_output_cost, t_total_cost, t_model, t_request_fallback, t_response_fallback)
      AS x(trace_id, exp, start_ms, end_ms, state, root, request, response, meta, tags, n, errors, token_spans,
           input_tokens, output_tokens, total_tokens, cost_spans, input_cost, output_cost, total_cost, model,
           request_fallback, response_fallback)
     WHERE existing IS NULL OR x.trace_id <> ALL(existing)),
  a AS (
    SELECT v.*, round(coalesce(v.input_tokens, 0))::bigint AS in_t, round(coalesce(v.output_tokens, 0))::bigint AS out_t,
           round(coalesce(v.total_tokens, 0))::bigint AS total_t, coalesce(v.input_cost, 0)::float8 AS in_c,
           coalesce(v.output_cost, 0)::float8 AS out_c, coalesce(v.total_cost, 0)::float8 AS total_c
      FROM v),
  ins AS (
    INSERT INTO traces AS t (trace_id, experiment_id, request_time, end_time, execution_duration, state, root_span_id,
        request_preview, response_preview, name, session_id, user_id, trace_metadata, tags,
        span_count, error_count, input_tokens, output_tokens, total_tokens, cost, model, updated_at)
    SELECT a.trace_id, a.exp, a.start_ms, a.end_ms, a.end_ms - a.start_ms, a.state, a.root, COALESCE(a.request, a.request_fallback), COALESCE(a.response, a.response_fallback),
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
        a.model, now_ms
      FROM a JOIN experiments e ON e.experiment_id = a.exp
     ORDER BY a.trace_id
    ON CONFLICT (trace_id) DO NOTHING
    RETURNING t.trace_id)
  SELECT array_agg(trace_id) INTO fresh FROM ins;
  END IF;

  IF coalesce(cardinality(fresh), 0) < cardinality(t_id) THEN
    -- traces already stored: merge. Span figures: a row that had no spans takes this write's (they are all its
    -- spans now: writers of a trace are serialized by flowtrace_lock_traces); any other is recomputed from all
    -- its span rows, this write's included. That aggregate is correlated with each trace id (a LATERAL join),
    -- so it is a primary-key range scan whatever the statistics say; its branch is skipped (a one-time filter)
    -- for rows that take this write's figures.
    WITH v AS (
      SELECT * FROM unnest(t_id, t_exp, t_start, t_end, t_state, t_root, t_request, t_response, t_meta, t_tags, t_spans,
                           t_errors, t_token_spans, t_input_tokens, t_output_tokens, t_total_tokens, t_cost_spans,
                           t_input_cost, t_output_cost, t_total_cost, t_model, t_request_fallback, t_response_fallback)
        AS x(trace_id, exp, start_ms, end_ms, state, root, request, response, meta, tags, r_n, r_errors, r_token_spans,
             r_input_tokens, r_output_tokens, r_total_tokens, r_cost_spans, r_input_cost, r_output_cost, r_total_cost, r_model,
             request_fallback, response_fallback)
       WHERE fresh IS NULL OR x.trace_id <> ALL(fresh)),
    f AS (
      SELECT v.*, s.*
        FROM v JOIN traces t0 ON t0.trace_id = v.trace_id
        CROSS JOIN LATERAL (
          SELECT v.r_n AS n, v.r_errors AS errors, v.r_token_spans::bigint AS token_spans,
                 round(coalesce(v.r_input_tokens, 0))::bigint AS input_tokens, round(coalesce(v.r_output_tokens, 0))::bigint AS output_tokens,
                 round(coalesce(v.r_total_tokens, 0))::bigint AS total_tokens, v.r_cost_spans::bigint AS cost_spans,
                 coalesce(v.r_input_cost, 0)::float8 AS input_cost, coalesce(v.r_output_cost, 0)::float8 AS output_cost,
                 coalesce(v.r_total_cost, 0)::float8 AS total_cost, v.r_model AS model
           WHERE t0.span_count = 0
          UNION ALL
          SELECT * FROM (
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
                                   THEN (sp.attributes->'mlflow.llm.cost'->>'total_cost')::numeric END), 0)::float8 AS total_cost,
                 (array_agg(sp.attributes->>'mlflow.llm.model' ORDER BY sp.start_time_ns, sp.span_id)
                    FILTER (WHERE jsonb_typeof(sp.attributes->'mlflow.llm.model') = 'string'
                              AND sp.attributes->>'mlflow.llm.model' <> ''))[1] AS model
            FROM spans sp WHERE sp.trace_id = v.trace_id) r
           WHERE t0.span_count <> 0) s),
    x AS (
      SELECT f.*,
             CASE WHEN f.token_spans > 0 THEN f.input_tokens END AS in_t,
             CASE WHEN f.token_spans > 0 THEN f.output_tokens END AS out_t,
             CASE WHEN f.token_spans > 0 THEN f.total_tokens END AS total_t,
             CASE WHEN f.cost_spans > 0 THEN f.total_cost END AS total_c,
             f.meta
               || CASE WHEN f.token_spans > 0 THEN jsonb_build_object('mlflow.trace.tokenUsage',
                    format('{"input_tokens": %s, "output_tokens": %s, "total_tokens": %s}', f.input_tokens, f.output_tokens, f.total_tokens)) ELSE '{}'::jsonb END
               || CASE WHEN f.cost_spans > 0 THEN jsonb_build_object('mlflow.trace.cost',
                    format('{"input_cost": %s, "output_cost": %s, "total_cost": %s}', f.input_cost, f.output_cost, f.total_cost)) ELSE '{}'::jsonb END
               AS full_meta
        FROM f),
    merged AS (
      -- tags/metadata: values StartTraceV3 wrote (info_finalized) win over derived ones; otherwise the newest
      -- derivation wins
      SELECT x.*, t.trace_id AS tid,
             CASE WHEN t.info_finalized THEN x.full_meta || t.trace_metadata ELSE t.trace_metadata || x.full_meta END
               -- a derived cost follows the spans even where the finalized metadata would win (traces.client_cost)
               || CASE WHEN NOT coalesce(t.client_cost, false) AND x.cost_spans > 0 THEN jsonb_build_object('mlflow.trace.cost', x.full_meta->'mlflow.trace.cost') ELSE '{}'::jsonb END
               AS m_meta,
             -- (the stored tags hold mlflow.artifactLocation since the row was made)
             CASE WHEN t.info_finalized THEN x.tags || t.tags ELSE t.tags || x.tags END
               || '{"mlflow.trace.spansLocation": "TRACKING_STORE"}'::jsonb AS m_tags,
             (t.info_finalized AND t.trace_metadata ? 'mlflow.trace.tokenUsage') AS client_tokens,
             coalesce(t.client_cost, false) AS client_cost,
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
        -- a root's own preview replaces a derived one; a model call's (the fallback) only fills an empty one
        request_preview = CASE WHEN t.info_finalized THEN COALESCE(t.request_preview, m.request, m.request_fallback)
          ELSE COALESCE(m.request, t.request_preview, m.request_fallback) END,
        response_preview = CASE WHEN t.info_finalized THEN COALESCE(t.response_preview, m.response, m.response_fallback)
          ELSE COALESCE(m.response, t.response_preview, m.response_fallback) END,
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
        model = m.model,
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
