-- The summary triggers of 20261125114500_session_user_summaries, cheaper per statement: one function per
-- operation with static SQL (planned once per connection instead of EXECUTE's parse and plan on every
-- statement), and early exits for the statements that change nothing the summaries hold (an
-- INSERT … ON CONFLICT DO UPDATE fires both the insert and the update trigger; usually only one of them
-- has rows). The delta itself is applied by flowtrace_apply_summary_delta from arrays.
--
-- Hand-written (not expressible in schema.prisma), for the schema-equivalence allow-list:
--   functions flowtrace_apply_summary_delta(…), flowtrace_trace_summaries_ins(), flowtrace_trace_summaries_upd(),
--   flowtrace_trace_summaries_del(); triggers traces_summaries_ins / _upd / _del (replaced).

DROP TRIGGER IF EXISTS traces_summaries_ins ON "traces";
DROP TRIGGER IF EXISTS traces_summaries_upd ON "traces";
DROP TRIGGER IF EXISTS traces_summaries_del ON "traces";
DROP FUNCTION IF EXISTS flowtrace_trace_summaries();

-- Adds signed rows (+1 a row now counted, -1 a row no longer counted) to the session and user summaries.
CREATE FUNCTION flowtrace_apply_summary_delta(
  d_sign INT[], d_exp BIGINT[], d_session TEXT[], d_user TEXT[], d_time BIGINT[], d_duration BIGINT[],
  d_in BIGINT[], d_out BIGINT[], d_total BIGINT[], d_cost DOUBLE PRECISION[], d_failed BOOLEAN[]) RETURNS void
LANGUAGE sql AS $fn$
  WITH d AS (
    SELECT * FROM unnest(d_sign, d_exp, d_session, d_user, d_time, d_duration, d_in, d_out, d_total, d_cost, d_failed)
      AS x(sign, experiment_id, session_id, user_id, request_time, execution_duration, input_tokens, output_tokens, total_tokens, cost, failed)),
  s AS (
    SELECT experiment_id, session_id, sum(sign) AS turns,
           min(request_time) FILTER (WHERE sign > 0) AS first_time,
           max(request_time + coalesce(execution_duration, 0)) FILTER (WHERE sign > 0) AS last_time,
           coalesce(sum(sign * execution_duration), 0) AS total_duration,
           coalesce(sum(sign * input_tokens), 0) AS input_tokens, coalesce(sum(sign * output_tokens), 0) AS output_tokens,
           coalesce(sum(sign * total_tokens), 0) AS total_tokens, sum(sign * cost) AS cost,
           sum(sign * failed::int) AS error_turns,
           coalesce(array_agg(DISTINCT user_id) FILTER (WHERE sign > 0 AND user_id IS NOT NULL), ARRAY[]::TEXT[]) AS users
      FROM d WHERE session_id IS NOT NULL
     GROUP BY experiment_id, session_id
    HAVING bool_or(sign > 0)
     ORDER BY experiment_id, session_id),
  ins_s AS (
    INSERT INTO trace_sessions AS t (experiment_id, session_id, turns, first_time, last_time, total_duration,
        input_tokens, output_tokens, total_tokens, cost, error_turns, users)
    SELECT * FROM s
    ON CONFLICT (experiment_id, session_id) DO UPDATE SET
      turns = t.turns + excluded.turns,
      first_time = least(t.first_time, excluded.first_time),
      last_time = greatest(t.last_time, excluded.last_time),
      total_duration = t.total_duration + excluded.total_duration,
      input_tokens = t.input_tokens + excluded.input_tokens,
      output_tokens = t.output_tokens + excluded.output_tokens,
      total_tokens = t.total_tokens + excluded.total_tokens,
      cost = CASE WHEN excluded.cost IS NULL THEN t.cost ELSE coalesce(t.cost, 0) + excluded.cost END,
      error_turns = t.error_turns + excluded.error_turns,
      users = CASE WHEN excluded.users <@ t.users THEN t.users
                   ELSE ARRAY(SELECT DISTINCT x FROM unnest(t.users || excluded.users) x ORDER BY x) END
    RETURNING 1)
  INSERT INTO trace_users AS t (experiment_id, user_id, traces, first_time, last_time, total_duration,
      input_tokens, output_tokens, total_tokens, cost, error_turns)
  SELECT experiment_id, user_id, sum(sign),
         min(request_time) FILTER (WHERE sign > 0), max(request_time + coalesce(execution_duration, 0)) FILTER (WHERE sign > 0),
         coalesce(sum(sign * execution_duration), 0), coalesce(sum(sign * input_tokens), 0),
         coalesce(sum(sign * output_tokens), 0), coalesce(sum(sign * total_tokens), 0), sum(sign * cost),
         sum(sign * failed::int)
    FROM d WHERE user_id IS NOT NULL
   GROUP BY experiment_id, user_id
  HAVING bool_or(sign > 0)
   ORDER BY experiment_id, user_id
  ON CONFLICT (experiment_id, user_id) DO UPDATE SET
    traces = t.traces + excluded.traces,
    first_time = least(t.first_time, excluded.first_time),
    last_time = greatest(t.last_time, excluded.last_time),
    total_duration = t.total_duration + excluded.total_duration,
    input_tokens = t.input_tokens + excluded.input_tokens,
    output_tokens = t.output_tokens + excluded.output_tokens,
    total_tokens = t.total_tokens + excluded.total_tokens,
    cost = CASE WHEN excluded.cost IS NULL THEN t.cost ELSE coalesce(t.cost, 0) + excluded.cost END,
    error_turns = t.error_turns + excluded.error_turns
$fn$;

CREATE FUNCTION flowtrace_trace_summaries_ins() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  a_sign INT[]; a_exp BIGINT[]; a_session TEXT[]; a_user TEXT[]; a_time BIGINT[]; a_duration BIGINT[];
  a_in BIGINT[]; a_out BIGINT[]; a_total BIGINT[]; a_cost DOUBLE PRECISION[]; a_failed BOOLEAN[];
BEGIN
  SELECT array_agg(1), array_agg(experiment_id), array_agg(session_id), array_agg(user_id), array_agg(request_time),
         array_agg(execution_duration), array_agg(input_tokens), array_agg(output_tokens), array_agg(total_tokens),
         array_agg(cost), array_agg(state = 'ERROR' OR error_count > 0)
    INTO a_sign, a_exp, a_session, a_user, a_time, a_duration, a_in, a_out, a_total, a_cost, a_failed
    FROM new_rows WHERE session_id IS NOT NULL OR user_id IS NOT NULL;
  IF a_sign IS NOT NULL THEN
    PERFORM flowtrace_apply_summary_delta(a_sign, a_exp, a_session, a_user, a_time, a_duration, a_in, a_out, a_total, a_cost, a_failed);
  END IF;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION flowtrace_trace_summaries_upd() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  a_sign INT[]; a_exp BIGINT[]; a_session TEXT[]; a_user TEXT[]; a_time BIGINT[]; a_duration BIGINT[];
  a_in BIGINT[]; a_out BIGINT[]; a_total BIGINT[]; a_cost DOUBLE PRECISION[]; a_failed BOOLEAN[];
  s_exp BIGINT[]; s_id TEXT[]; u_exp BIGINT[]; u_id TEXT[];
BEGIN
  -- rows whose aggregated columns changed, as -old +new pairs; most updates (tags, span counts) have none
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

CREATE FUNCTION flowtrace_trace_summaries_del() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  s_exp BIGINT[]; s_id TEXT[]; u_exp BIGINT[]; u_id TEXT[];
BEGIN
  SELECT array_agg(experiment_id), array_agg(session_id) INTO s_exp, s_id
    FROM (SELECT DISTINCT experiment_id, session_id FROM old_rows WHERE session_id IS NOT NULL) x;
  SELECT array_agg(experiment_id), array_agg(user_id) INTO u_exp, u_id
    FROM (SELECT DISTINCT experiment_id, user_id FROM old_rows WHERE user_id IS NOT NULL) x;
  IF s_id IS NOT NULL OR u_id IS NOT NULL THEN
    PERFORM flowtrace_recount_summaries(coalesce(s_exp, '{}'), coalesce(s_id, '{}'), coalesce(u_exp, '{}'), coalesce(u_id, '{}'));
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER traces_summaries_ins AFTER INSERT ON "traces"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION flowtrace_trace_summaries_ins();
CREATE TRIGGER traces_summaries_upd AFTER UPDATE ON "traces"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION flowtrace_trace_summaries_upd();
CREATE TRIGGER traces_summaries_del AFTER DELETE ON "traces"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION flowtrace_trace_summaries_del();
