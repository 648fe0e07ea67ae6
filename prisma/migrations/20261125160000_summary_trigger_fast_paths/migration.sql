-- The session and user summary triggers of 20261125124000_session_summaries_static_triggers, cheaper on the
-- ingest path (measured there as ~40% of PostgreSQL's time for TypeScript-SDK traces):
--  * UPDATE: the statement-level trigger ran its change-detection query over the transition tables for every
--    UPDATE of traces — and for every INSERT … ON CONFLICT, which fires it even when nothing conflicted —
--    although almost no update changes a summarized column. A row-level trigger whose WHEN clause is that
--    test (evaluated in C, no function call when false) now marks the transaction, and the statement-level
--    trigger returns at once unless marked. The delta itself stays statement-level: one aggregate per
--    statement, and exact-recount ordering within a statement stays as it was.
--  * INSERT: a statement-level trigger costs its transition table and an aggregate query even for one row;
--    StartTraceV3 (one trace per request, the TypeScript SDK's first call per trace) measured 0.41 ms per
--    INSERT with it and 0.32 ms with a row-level trigger doing two single-row upserts (bench:rest +9%). Bulk
--    writes (the ingest function, many traces per statement) keep the statement-level aggregate — one upsert
--    per session instead of one per trace: flowtrace_upsert_traces sets flowtrace.summary_mode = 'statement'
--    for its statements, which turns the row-level trigger off (its WHEN clause) and the statement-level one on.
--
-- Hand-written (not expressible in schema.prisma), for the schema-equivalence allow-list:
--   functions flowtrace_trace_summaries_mark(), flowtrace_apply_summary_one(…), flowtrace_trace_summaries_ins_row(),
--   flowtrace_trace_summaries_ins() and flowtrace_trace_summaries_upd() (replaced), the flowtrace.summary_mode
--   setting of flowtrace_upsert_traces(…); triggers traces_summaries_mark, traces_summaries_ins_row

-- +1 for one trace: the single-row case of flowtrace_apply_summary_delta, with the same arithmetic (two
-- upserts with cached plans instead of the array aggregate's six-part query).
CREATE FUNCTION flowtrace_apply_summary_one(
  a_exp BIGINT, a_session TEXT, a_user TEXT, a_time BIGINT, a_duration BIGINT, a_in BIGINT, a_out BIGINT,
  a_total BIGINT, a_cost DOUBLE PRECISION, a_failed BOOLEAN) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF a_session IS NOT NULL THEN
    INSERT INTO trace_sessions AS t (experiment_id, session_id, turns, first_time, last_time, total_duration,
        input_tokens, output_tokens, total_tokens, cost, error_turns, users)
    VALUES (a_exp, a_session, 1, a_time, a_time + coalesce(a_duration, 0), coalesce(a_duration, 0),
        coalesce(a_in, 0), coalesce(a_out, 0), coalesce(a_total, 0), a_cost, coalesce(a_failed, false)::int,
        CASE WHEN a_user IS NULL THEN ARRAY[]::TEXT[] ELSE ARRAY[a_user] END)
    ON CONFLICT (experiment_id, session_id) DO UPDATE SET
      turns = t.turns + 1,
      first_time = least(t.first_time, excluded.first_time),
      last_time = greatest(t.last_time, excluded.last_time),
      total_duration = t.total_duration + excluded.total_duration,
      input_tokens = t.input_tokens + excluded.input_tokens,
      output_tokens = t.output_tokens + excluded.output_tokens,
      total_tokens = t.total_tokens + excluded.total_tokens,
      cost = CASE WHEN excluded.cost IS NULL THEN t.cost ELSE coalesce(t.cost, 0) + excluded.cost END,
      error_turns = t.error_turns + excluded.error_turns,
      users = CASE WHEN excluded.users <@ t.users THEN t.users
                   ELSE ARRAY(SELECT DISTINCT x FROM unnest(t.users || excluded.users) x ORDER BY x) END;
  END IF;
  IF a_user IS NOT NULL THEN
    INSERT INTO trace_users AS t (experiment_id, user_id, traces, first_time, last_time, total_duration,
        input_tokens, output_tokens, total_tokens, cost, error_turns)
    VALUES (a_exp, a_user, 1, a_time, a_time + coalesce(a_duration, 0), coalesce(a_duration, 0),
        coalesce(a_in, 0), coalesce(a_out, 0), coalesce(a_total, 0), a_cost, coalesce(a_failed, false)::int)
    ON CONFLICT (experiment_id, user_id) DO UPDATE SET
      traces = t.traces + 1,
      first_time = least(t.first_time, excluded.first_time),
      last_time = greatest(t.last_time, excluded.last_time),
      total_duration = t.total_duration + excluded.total_duration,
      input_tokens = t.input_tokens + excluded.input_tokens,
      output_tokens = t.output_tokens + excluded.output_tokens,
      total_tokens = t.total_tokens + excluded.total_tokens,
      cost = CASE WHEN excluded.cost IS NULL THEN t.cost ELSE coalesce(t.cost, 0) + excluded.cost END,
      error_turns = t.error_turns + excluded.error_turns;
  END IF;
END
$fn$;

CREATE FUNCTION flowtrace_trace_summaries_ins_row() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM flowtrace_apply_summary_one(NEW.experiment_id, NEW.session_id, NEW.user_id, NEW.request_time, NEW.execution_duration,
                                      NEW.input_tokens, NEW.output_tokens, NEW.total_tokens, NEW.cost,
                                      NEW.state = 'ERROR' OR NEW.error_count > 0);
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION flowtrace_trace_summaries_ins() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  a_sign INT[]; a_exp BIGINT[]; a_session TEXT[]; a_user TEXT[]; a_time BIGINT[]; a_duration BIGINT[];
  a_in BIGINT[]; a_out BIGINT[]; a_total BIGINT[]; a_cost DOUBLE PRECISION[]; a_failed BOOLEAN[];
BEGIN
  -- outside the bulk write functions, traces_summaries_ins_row has counted each row already
  IF current_setting('flowtrace.summary_mode', true) IS DISTINCT FROM 'statement' THEN
    RETURN NULL;
  END IF;
  SELECT array_agg(1), array_agg(experiment_id), array_agg(session_id), array_agg(user_id), array_agg(request_time),
         array_agg(execution_duration), array_agg(input_tokens), array_agg(output_tokens), array_agg(total_tokens),
         array_agg(cost), array_agg(state = 'ERROR' OR error_count > 0)
    INTO a_sign, a_exp, a_session, a_user, a_time, a_duration, a_in, a_out, a_total, a_cost, a_failed
    FROM new_rows WHERE session_id IS NOT NULL OR user_id IS NOT NULL;
  IF a_sign IS NULL THEN
    RETURN NULL;
  END IF;
  IF cardinality(a_sign) = 1 THEN
    PERFORM flowtrace_apply_summary_one(a_exp[1], a_session[1], a_user[1], a_time[1], a_duration[1], a_in[1], a_out[1],
                                        a_total[1], a_cost[1], a_failed[1]);
  ELSE
    PERFORM flowtrace_apply_summary_delta(a_sign, a_exp, a_session, a_user, a_time, a_duration, a_in, a_out, a_total, a_cost, a_failed);
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER traces_summaries_ins_row AFTER INSERT ON "traces" FOR EACH ROW
  WHEN ((NEW.session_id IS NOT NULL OR NEW.user_id IS NOT NULL)
        AND current_setting('flowtrace.summary_mode', true) IS DISTINCT FROM 'statement')
  EXECUTE FUNCTION flowtrace_trace_summaries_ins_row();

ALTER FUNCTION flowtrace_upsert_traces(TEXT[], BIGINT[], BIGINT[], BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], JSONB[], JSONB[],
  INT[], INT[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], INT[], NUMERIC[], NUMERIC[], NUMERIC[], BIGINT)
  SET flowtrace.summary_mode = 'statement';

-- Marks the transaction: a row of this statement changed a summarized column.
CREATE FUNCTION flowtrace_trace_summaries_mark() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM set_config('flowtrace.summaries_changed', 'on', true);
  RETURN NULL;
END
$fn$;

-- The same test as the `changed` CTE of flowtrace_trace_summaries_upd. Row-level AFTER triggers fire before
-- the statement-level AFTER trigger of the same statement.
CREATE TRIGGER traces_summaries_mark AFTER UPDATE ON "traces" FOR EACH ROW
  WHEN ((NEW.session_id IS NOT NULL OR NEW.user_id IS NOT NULL OR OLD.session_id IS NOT NULL OR OLD.user_id IS NOT NULL)
        AND (NEW.experiment_id, NEW.session_id, NEW.user_id, NEW.request_time, NEW.execution_duration, NEW.input_tokens,
             NEW.output_tokens, NEW.total_tokens, NEW.cost, NEW.state = 'ERROR' OR NEW.error_count > 0)
            IS DISTINCT FROM
            (OLD.experiment_id, OLD.session_id, OLD.user_id, OLD.request_time, OLD.execution_duration, OLD.input_tokens,
             OLD.output_tokens, OLD.total_tokens, OLD.cost, OLD.state = 'ERROR' OR OLD.error_count > 0))
  EXECUTE FUNCTION flowtrace_trace_summaries_mark();

CREATE OR REPLACE FUNCTION flowtrace_trace_summaries_upd() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  a_sign INT[]; a_exp BIGINT[]; a_session TEXT[]; a_user TEXT[]; a_time BIGINT[]; a_duration BIGINT[];
  a_in BIGINT[]; a_out BIGINT[]; a_total BIGINT[]; a_cost DOUBLE PRECISION[]; a_failed BOOLEAN[];
  s_exp BIGINT[]; s_id TEXT[]; u_exp BIGINT[]; u_id TEXT[];
BEGIN
  -- no row of this statement changed a summarized column (traces_summaries_mark did not fire)
  IF current_setting('flowtrace.summaries_changed', true) IS DISTINCT FROM 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('flowtrace.summaries_changed', 'off', true);
  -- rows whose aggregated columns changed, as -old +new pairs
  WITH changed AS (
    SELECT o.experiment_id AS o_exp, o.session_id AS o_session, o.user_id AS o_user, o.request_time AS o_time,
           o.execution_duration AS o_duration, o.input_tokens AS o_in, o.output_tokens AS o_out, o.total_tokens AS o_total,
           o.cost AS o_cost, (o.state = 'ERROR' OR o.error_count > 0) AS o_failed,
           n.experiment_id AS n_exp, n.session_id AS n_session, n.user_id AS n_user, n.request_time AS n_time,
           n.execution_duration AS n_duration, n.input_tokens AS n_in, n.output_tokens AS n_out, n.total_tokens AS n_total,
           n.cost AS n_cost, (n.state = 'ERROR' OR n.error_count > 0) AS n_failed
      FROM new_rows n JOIN old_rows o USING (trace_id)
     WHERE (n.session_id IS NOT NULL OR n.user_id IS NOT NULL OR o.session_id IS NOT NULL OR o.user_id IS NOT NULL)
       AND (n.experiment_id, n.session_id, n.user_id, n.request_time, n.execution_duration, n.input_tokens,
            n.output_tokens, n.total_tokens, n.cost, n.state = 'ERROR' OR n.error_count > 0)
           IS DISTINCT FROM
           (o.experiment_id, o.session_id, o.user_id, o.request_time, o.execution_duration, o.input_tokens,
            o.output_tokens, o.total_tokens, o.cost, o.state = 'ERROR' OR o.error_count > 0)),
  d AS (
    SELECT 1 AS sign, n_exp AS e, n_session AS s, n_user AS u, n_time AS t, n_duration AS du, n_in AS i, n_out AS o,
           n_total AS tt, n_cost AS c, n_failed AS f FROM changed
    UNION ALL
    SELECT -1, o_exp, o_session, o_user, o_time, o_duration, o_in, o_out, o_total, o_cost, o_failed FROM changed),
  moved AS (
    SELECT o_exp, o_session, o_user,
           (n_session IS DISTINCT FROM o_session OR n_exp <> o_exp OR n_time > o_time
             OR (n_user IS DISTINCT FROM o_user AND o_user IS NOT NULL)) AS session_moved,
           (n_user IS DISTINCT FROM o_user OR n_exp <> o_exp OR n_time > o_time) AS user_moved
      FROM changed)
  SELECT (SELECT array_agg(sign) FROM d), (SELECT array_agg(e) FROM d), (SELECT array_agg(s) FROM d), (SELECT array_agg(u) FROM d),
         (SELECT array_agg(t) FROM d), (SELECT array_agg(du) FROM d), (SELECT array_agg(i) FROM d), (SELECT array_agg(o) FROM d),
         (SELECT array_agg(tt) FROM d), (SELECT array_agg(c) FROM d), (SELECT array_agg(f) FROM d),
         (SELECT array_agg(o_exp) FROM moved WHERE session_moved AND o_session IS NOT NULL),
         (SELECT array_agg(o_session) FROM moved WHERE session_moved AND o_session IS NOT NULL),
         (SELECT array_agg(o_exp) FROM moved WHERE user_moved AND o_user IS NOT NULL),
         (SELECT array_agg(o_user) FROM moved WHERE user_moved AND o_user IS NOT NULL)
    INTO a_sign, a_exp, a_session, a_user, a_time, a_duration, a_in, a_out, a_total, a_cost, a_failed, s_exp, s_id, u_exp, u_id;
  IF a_sign IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM flowtrace_apply_summary_delta(a_sign, a_exp, a_session, a_user, a_time, a_duration, a_in, a_out, a_total, a_cost, a_failed);
  -- rows that left a session or user, or whose start moved later: min/max deltas cannot express that,
  -- so those are recounted exactly (rare: session and user are immutable metadata)
  IF s_id IS NOT NULL OR u_id IS NOT NULL THEN
    PERFORM flowtrace_recount_summaries(coalesce(s_exp, '{}'), coalesce(s_id, '{}'), coalesce(u_exp, '{}'), coalesce(u_id, '{}'));
  END IF;
  RETURN NULL;
END
$fn$;
