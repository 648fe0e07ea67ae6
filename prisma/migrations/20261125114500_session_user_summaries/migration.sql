-- Session and user summaries for the Sessions and Users views. A GROUP BY over the traces of an
-- experiment costs ~1.3 s at 1M traces (e2e/bench/sessions.bench.ts), so the aggregates are kept up to date
-- by statement-level triggers on "traces", in the same transaction as the writes that change them:
-- deltas for inserts and ordinary updates, an exact recount for deletes and for rows that leave a
-- session or user.
--
-- Hand-written (not expressible in schema.prisma), for the schema-equivalence allow-list:
--   function flowtrace_trace_summaries(), triggers traces_summaries_ins / _upd / _del,
--   function flowtrace_recount_summaries(bigint[], text[], bigint[], text[]),
--   GIN index trace_sessions_users_idx.

-- CreateTable
CREATE TABLE "trace_sessions" (
    "experiment_id" BIGINT NOT NULL,
    "session_id" TEXT NOT NULL,
    "turns" BIGINT NOT NULL DEFAULT 0,
    "first_time" BIGINT,
    "last_time" BIGINT,
    "total_duration" BIGINT NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "total_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost" DOUBLE PRECISION,
    "error_turns" BIGINT NOT NULL DEFAULT 0,
    "users" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "trace_sessions_pkey" PRIMARY KEY ("experiment_id","session_id")
);

-- CreateTable
CREATE TABLE "trace_users" (
    "experiment_id" BIGINT NOT NULL,
    "user_id" TEXT NOT NULL,
    "traces" BIGINT NOT NULL DEFAULT 0,
    "first_time" BIGINT,
    "last_time" BIGINT,
    "total_duration" BIGINT NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "total_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost" DOUBLE PRECISION,
    "error_turns" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "trace_users_pkey" PRIMARY KEY ("experiment_id","user_id")
);

-- CreateIndex
CREATE INDEX "trace_sessions_experiment_id_last_time_session_id_idx" ON "trace_sessions"("experiment_id", "last_time" DESC, "session_id" DESC);

-- CreateIndex
CREATE INDEX "trace_users_experiment_id_last_time_user_id_idx" ON "trace_users"("experiment_id", "last_time" DESC, "user_id" DESC);

-- AddForeignKey
ALTER TABLE "trace_sessions" ADD CONSTRAINT "trace_sessions_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("experiment_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trace_users" ADD CONSTRAINT "trace_users_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("experiment_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: sessions of a user (users page, the user filter of the sessions table)
CREATE INDEX "trace_sessions_users_idx" ON "trace_sessions" USING GIN ("users");

-- Exact recount of the given sessions and users from "traces" (deletes, rows moving between sessions).
CREATE FUNCTION flowtrace_recount_summaries(s_exp BIGINT[], s_id TEXT[], u_exp BIGINT[], u_id TEXT[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF cardinality(s_id) > 0 THEN
    DELETE FROM trace_sessions t
      USING unnest(s_exp, s_id) AS a(experiment_id, session_id)
      WHERE t.experiment_id = a.experiment_id AND t.session_id = a.session_id;
    INSERT INTO trace_sessions AS t (experiment_id, session_id, turns, first_time, last_time, total_duration,
        input_tokens, output_tokens, total_tokens, cost, error_turns, users)
      SELECT tr.experiment_id, tr.session_id, count(*), min(tr.request_time),
             max(tr.request_time + coalesce(tr.execution_duration, 0)), coalesce(sum(tr.execution_duration), 0),
             coalesce(sum(tr.input_tokens), 0), coalesce(sum(tr.output_tokens), 0), coalesce(sum(tr.total_tokens), 0),
             sum(tr.cost), count(*) FILTER (WHERE tr.state = 'ERROR' OR tr.error_count > 0),
             coalesce(array_agg(DISTINCT tr.user_id) FILTER (WHERE tr.user_id IS NOT NULL), ARRAY[]::TEXT[])
        FROM (SELECT DISTINCT * FROM unnest(s_exp, s_id) AS a(experiment_id, session_id)) a
        JOIN traces tr ON tr.experiment_id = a.experiment_id AND tr.session_id = a.session_id
       GROUP BY tr.experiment_id, tr.session_id
       ORDER BY tr.experiment_id, tr.session_id;
  END IF;
  IF cardinality(u_id) > 0 THEN
    DELETE FROM trace_users t
      USING unnest(u_exp, u_id) AS a(experiment_id, user_id)
      WHERE t.experiment_id = a.experiment_id AND t.user_id = a.user_id;
    INSERT INTO trace_users AS t (experiment_id, user_id, traces, first_time, last_time, total_duration,
        input_tokens, output_tokens, total_tokens, cost, error_turns)
      SELECT tr.experiment_id, tr.user_id, count(*), min(tr.request_time),
             max(tr.request_time + coalesce(tr.execution_duration, 0)), coalesce(sum(tr.execution_duration), 0),
             coalesce(sum(tr.input_tokens), 0), coalesce(sum(tr.output_tokens), 0), coalesce(sum(tr.total_tokens), 0),
             sum(tr.cost), count(*) FILTER (WHERE tr.state = 'ERROR' OR tr.error_count > 0)
        FROM (SELECT DISTINCT * FROM unnest(u_exp, u_id) AS a(experiment_id, user_id)) a
        JOIN traces tr ON tr.experiment_id = a.experiment_id AND tr.user_id = a.user_id
       GROUP BY tr.experiment_id, tr.user_id
       ORDER BY tr.experiment_id, tr.user_id;
  END IF;
END
$fn$;

-- One function for the three statement-level triggers. Transition tables are visible to EXECUTE, so the
-- delta query is shared and only its row source differs per operation.
CREATE FUNCTION flowtrace_trace_summaries() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  cols CONSTANT TEXT := 'experiment_id, session_id, user_id, request_time, execution_duration, input_tokens, '
    || 'output_tokens, total_tokens, cost, (state = ''ERROR'' OR error_count > 0) AS failed';
  src TEXT;
  pre TEXT := '';
  s_exp BIGINT[]; s_id TEXT[]; u_exp BIGINT[]; u_id TEXT[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT coalesce(array_agg(experiment_id), '{}'), coalesce(array_agg(session_id), '{}') INTO s_exp, s_id
      FROM (SELECT DISTINCT experiment_id, session_id FROM old_rows WHERE session_id IS NOT NULL) x;
    SELECT coalesce(array_agg(experiment_id), '{}'), coalesce(array_agg(user_id), '{}') INTO u_exp, u_id
      FROM (SELECT DISTINCT experiment_id, user_id FROM old_rows WHERE user_id IS NOT NULL) x;
    PERFORM flowtrace_recount_summaries(s_exp, s_id, u_exp, u_id);
    RETURN NULL;
  END IF;

  IF TG_OP = 'INSERT' THEN
    src := 'SELECT 1 AS sign, ' || cols || ' FROM new_rows';
  ELSE
    -- only rows whose aggregated columns changed: most updates (tags, span counts) leave the summaries alone
    pre := $c$
changed AS (
      SELECT n.trace_id FROM new_rows n JOIN old_rows o USING (trace_id)
       WHERE (n.experiment_id, n.session_id, n.user_id, n.request_time, n.execution_duration, n.input_tokens,
              n.output_tokens, n.total_tokens, n.cost, n.state = 'ERROR' OR n.error_count > 0)
             IS DISTINCT FROM
             (o.experiment_id, o.session_id, o.user_id, o.request_time, o.execution_duration, o.input_tokens,
              o.output_tokens, o.total_tokens, o.cost, o.state = 'ERROR' OR o.error_count > 0)),
    $c$;
    src := 'SELECT 1 AS sign, ' || cols || ' FROM new_rows WHERE trace_id IN (SELECT trace_id FROM changed)'
      || ' UNION ALL SELECT -1 AS sign, ' || cols || ' FROM old_rows WHERE trace_id IN (SELECT trace_id FROM changed)';
  END IF;

  EXECUTE format($q$
    WITH %s
    d AS (%s),
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
  $q$, pre, src);

  IF TG_OP = 'UPDATE' THEN
    -- rows that left a session or user, or whose start moved later: the min/max deltas cannot express
    -- that, so recount those exactly (rare: session and user are immutable metadata)
    SELECT coalesce(array_agg(experiment_id), '{}'), coalesce(array_agg(session_id), '{}') INTO s_exp, s_id
      FROM (SELECT DISTINCT o.experiment_id, o.session_id FROM old_rows o JOIN new_rows n USING (trace_id)
             WHERE o.session_id IS NOT NULL
               AND (n.session_id IS DISTINCT FROM o.session_id OR n.experiment_id <> o.experiment_id
                    OR n.request_time > o.request_time
                    OR (n.user_id IS DISTINCT FROM o.user_id AND o.user_id IS NOT NULL))) x;
    SELECT coalesce(array_agg(experiment_id), '{}'), coalesce(array_agg(user_id), '{}') INTO u_exp, u_id
      FROM (SELECT DISTINCT o.experiment_id, o.user_id FROM old_rows o JOIN new_rows n USING (trace_id)
             WHERE o.user_id IS NOT NULL
               AND (n.user_id IS DISTINCT FROM o.user_id OR n.experiment_id <> o.experiment_id
                    OR n.request_time > o.request_time)) x;
    IF cardinality(s_id) > 0 OR cardinality(u_id) > 0 THEN
      PERFORM flowtrace_recount_summaries(s_exp, s_id, u_exp, u_id);
    END IF;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER traces_summaries_ins AFTER INSERT ON "traces"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION flowtrace_trace_summaries();
CREATE TRIGGER traces_summaries_upd AFTER UPDATE ON "traces"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION flowtrace_trace_summaries();
CREATE TRIGGER traces_summaries_del AFTER DELETE ON "traces"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION flowtrace_trace_summaries();

-- Summaries of traces that exist before this migration
INSERT INTO trace_sessions (experiment_id, session_id, turns, first_time, last_time, total_duration,
    input_tokens, output_tokens, total_tokens, cost, error_turns, users)
SELECT experiment_id, session_id, count(*), min(request_time), max(request_time + coalesce(execution_duration, 0)),
       coalesce(sum(execution_duration), 0), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
       coalesce(sum(total_tokens), 0), sum(cost), count(*) FILTER (WHERE state = 'ERROR' OR error_count > 0),
       coalesce(array_agg(DISTINCT user_id) FILTER (WHERE user_id IS NOT NULL), ARRAY[]::TEXT[])
  FROM traces WHERE session_id IS NOT NULL GROUP BY experiment_id, session_id;
INSERT INTO trace_users (experiment_id, user_id, traces, first_time, last_time, total_duration,
    input_tokens, output_tokens, total_tokens, cost, error_turns)
SELECT experiment_id, user_id, count(*), min(request_time), max(request_time + coalesce(execution_duration, 0)),
       coalesce(sum(execution_duration), 0), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
       coalesce(sum(total_tokens), 0), sum(cost), count(*) FILTER (WHERE state = 'ERROR' OR error_count > 0)
  FROM traces WHERE user_id IS NOT NULL GROUP BY experiment_id, user_id;
