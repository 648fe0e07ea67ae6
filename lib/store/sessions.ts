// Sessions (conversations): the traces of an experiment that share a session id (metadata
// `mlflow.trace.session`, or OTel `session.id` / `gen_ai.conversation.id`, denormalized into
// traces.session_id by ingest). Lists read the trigger-maintained summary table trace_sessions (see its
// migration); a session's turns are keyset pages over the (experiment_id, session_id, request_time) index.
// Over 400 lines: the list, one session, its turns and its feedback share the cursor and row mapping.
import { getPool } from "../db";
import { ApiError, invalidParameter } from "../errors";
import { isExperimentId } from "../experiment-id";
import { previewText, turnFromTrace, type ChatTurn, type TurnSpan } from "../chat/turn";

import type { TraceFigures } from "./rows";
import type { SessionSortKey } from "./sessions-query";
export { SESSION_SORT_KEYS, type SessionSortKey } from "./sessions-query";
export type SortDir = "asc" | "desc";

export interface SessionListParams {
  experimentId: string;
  /** matches the session id, or the text of any of its turns */
  search?: string;
  /** sessions in which this user took part */
  userId?: string;
  /** sessions active in [from, to] (epoch ms) */
  from?: number;
  to?: number;
  hasErrors?: boolean;
  sort?: SessionSortKey;
  dir?: SortDir;
  pageSize?: number;
  pageToken?: string;
}

export interface SessionSummary {
  sessionId: string;
  users: string[];
  turns: number;
  firstActivity: number | null;
  lastActivity: number | null;
  /** sum of the turns' execution times, ms */
  totalDuration: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cost: number | null;
  /** turns whose trace failed or holds a failed span */
  errorTurns: number;
}

export interface SessionListRow extends SessionSummary {
  firstTraceId: string | null;
  /** the user's first message, as readable text */
  firstMessage: string | null;
}

export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

// Sort key → SQL expression over trace_sessions (alias s) and the type of its keyset value. Every
// expression is NOT NULL so that row comparisons page correctly.
const SESSION_SORTS: Record<SessionSortKey, { expr: string; type: "bigint" | "text" | "float8" }> = {
  session_id: { expr: "s.session_id", type: "text" },
  users: { expr: "coalesce(s.users[1], '')", type: "text" },
  turns: { expr: "s.turns", type: "bigint" },
  // never null in a summary row (every trace has a request time), so the bare columns can use the index
  first_activity: { expr: "s.first_time", type: "bigint" },
  last_activity: { expr: "s.last_time", type: "bigint" },
  duration: { expr: "s.total_duration", type: "bigint" },
  tokens: { expr: "s.total_tokens", type: "bigint" },
  cost: { expr: "coalesce(s.cost, 0)", type: "float8" },
  errors: { expr: "s.error_turns", type: "bigint" },
};

export const MAX_PAGE_SIZE = 500;

interface Cursor {
  s: string; // sort key
  d: SortDir;
  v: string; // sort value
  k: string; // tie-breaker (session id / user id / trace id)
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

export function decodeCursor(token: string, sort: string, dir: SortDir): Cursor {
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidParameter(`Invalid page_token '${token}'`);
  }
  if (!c || typeof c.v !== "string" || typeof c.k !== "string") throw invalidParameter(`Invalid page_token '${token}'`);
  if (c.s !== sort || c.d !== dir) throw invalidParameter("page_token was issued for another sort order");
  return c;
}

export function pageSizeOf(n: number | undefined, dflt = 50): number {
  if (n === undefined || Number.isNaN(n)) return dflt;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw invalidParameter(`page size must be between 1 and ${MAX_PAGE_SIZE}`);
  return n;
}

export function experimentIdOf(id: string): string {
  if (!isExperimentId(id)) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `Experiment '${id}' does not exist`);
  return id;
}

class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** `%…%` for ILIKE with the user's text taken literally */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (m) => "\\" + m)}%`;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function summaryFromRow(r: Record<string, unknown>): SessionSummary {
  return {
    sessionId: r.session_id as string,
    users: (r.users as string[] | null) ?? [],
    turns: num(r.turns),
    firstActivity: numOrNull(r.first_time),
    lastActivity: numOrNull(r.last_time),
    totalDuration: num(r.total_duration),
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    totalTokens: num(r.total_tokens),
    cost: numOrNull(r.cost),
    errorTurns: num(r.error_turns),
  };
}

export async function assertExperiment(experimentId: string): Promise<void> {
  const { rowCount } = await getPool().query("SELECT 1 FROM experiments WHERE experiment_id = $1", [experimentId]);
  if (!rowCount) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `Experiment '${experimentId}' does not exist`);
}

/** A list's sort key and direction, checked against its table of sortable expressions (default: newest first). */
export function listSort<K extends string, S extends { expr: string; type: string }>(sorts: Record<K, S>, key: K | undefined, fallback: K, dirIn: SortDir | undefined) {
  const sort = key ?? fallback;
  if (!sorts[sort]) throw invalidParameter(`Unknown sort '${sort}'`);
  const dir: SortDir = dirIn ?? "desc";
  if (dir !== "asc" && dir !== "desc") throw invalidParameter(`Unknown sort direction '${dir}'`);
  return { sort, dir, ...sorts[sort] };
}

export async function listSessions(p: SessionListParams): Promise<Page<SessionListRow>> {
  const experimentId = experimentIdOf(p.experimentId);
  const { sort, dir, expr, type } = listSort(SESSION_SORTS, p.sort, "last_activity", p.dir);
  const size = pageSizeOf(p.pageSize);

  await assertExperiment(experimentId);
  const q = new Params();
  const exp = q.add(experimentId);
  const where = [`s.experiment_id = ${exp}`];
  if (p.userId) where.push(`s.users @> ARRAY[${q.add(p.userId)}]::text[]`);
  if (p.from !== undefined) where.push(`s.last_time >= ${q.add(p.from)}`);
  if (p.to !== undefined) where.push(`s.first_time <= ${q.add(p.to)}`);
  if (p.hasErrors === true) where.push("s.error_turns > 0");
  if (p.hasErrors === false) where.push("s.error_turns = 0");
  const search = p.search?.trim();
  if (search) {
    const pat = q.add(likePattern(search));
    // content search scans the previews of this experiment's session traces; the session id matches first
    where.push(`(s.session_id ILIKE ${pat} OR s.session_id IN (
      SELECT t.session_id FROM traces t WHERE t.experiment_id = ${exp} AND t.session_id IS NOT NULL
         AND (t.request_preview ILIKE ${pat} OR t.response_preview ILIKE ${pat})))`);
  }
  if (p.pageToken) {
    const c = decodeCursor(p.pageToken, sort, dir);
    where.push(`(${expr}, s.session_id) ${dir === "desc" ? "<" : ">"} (${q.add(c.v)}::${type}, ${q.add(c.k)})`);
  }
  const limit = q.add(size + 1);
  // the page first (an index scan or a top-N sort of the summaries), then the first turn of each of its rows
  const sql = `
    SELECT p.*, f.trace_id AS first_trace_id, f.request_preview AS first_request
      FROM (SELECT s.*, ${expr} AS sort_value FROM trace_sessions s
             WHERE ${where.join(" AND ")}
             ORDER BY ${expr} ${dir}, s.session_id ${dir}
             LIMIT ${limit}) p
      LEFT JOIN LATERAL (
        SELECT t.trace_id, t.request_preview FROM traces t
         WHERE t.experiment_id = p.experiment_id AND t.session_id = p.session_id
         ORDER BY t.request_time, t.trace_id LIMIT 1) f ON true
     ORDER BY p.sort_value ${dir}, p.session_id ${dir}`;
  const { rows } = await getPool().query(sql, q.values);
  const page = rows.slice(0, size);
  const items = page.map((r) => ({
    ...summaryFromRow(r),
    firstTraceId: (r.first_trace_id as string | null) ?? null,
    firstMessage: previewText(r.first_request as string | null),
  }));
  const last = page[page.length - 1];
  const nextPageToken = rows.length > size && last ? encodeCursor({ s: sort, d: dir, v: String(last.sort_value), k: last.session_id }) : null;
  return { items, nextPageToken };
}

/** The summary of one session; throws RESOURCE_DOES_NOT_EXIST when the experiment has no such session. */
export async function getSession(experimentIdRaw: string, sessionId: string): Promise<SessionListRow> {
  const experimentId = experimentIdOf(experimentIdRaw);
  const { rows } = await getPool().query(
    `SELECT s.*, f.trace_id AS first_trace_id, f.request_preview AS first_request
       FROM trace_sessions s
       LEFT JOIN LATERAL (
         SELECT t.trace_id, t.request_preview FROM traces t
          WHERE t.experiment_id = s.experiment_id AND t.session_id = s.session_id
          ORDER BY t.request_time, t.trace_id LIMIT 1) f ON true
      WHERE s.experiment_id = $1 AND s.session_id = $2`,
    [experimentId, sessionId],
  );
  if (!rows.length) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `Session '${sessionId}' does not exist in experiment '${experimentId}'`);
  const r = rows[0];
  return { ...summaryFromRow(r), firstTraceId: r.first_trace_id ?? null, firstMessage: previewText(r.first_request) };
}

export interface SessionTurn extends TraceFigures {
  /** 1-based position of the turn in the session */
  index: number;
  /** the message of the root span when the trace failed */
  errorMessage: string | null;
  turn: ChatTurn;
}

export interface TurnPageParams {
  pageSize?: number;
  pageToken?: string;
}

export const TURN_PAGE_SIZE = 50;
const MODEL_OR_TOOL_TYPES = ["LLM", "CHAT_MODEL", "TOOL"];
// Tool spans only need a preview of their arguments and result
const TOOL_IO_CHARS = 2000;

/**
 * One keyset page of a session's turns in time order, each with the user's message, the answer and the
 * tool calls. Span payloads are read for the page only: root spans and tool spans first, model spans only
 * for the turns whose root span says nothing chat-like.
 */
export async function listSessionTurns(experimentIdRaw: string, sessionId: string, p: TurnPageParams = {}): Promise<Page<SessionTurn>> {
  const experimentId = experimentIdOf(experimentIdRaw);
  const size = pageSizeOf(p.pageSize, TURN_PAGE_SIZE);
  const q = new Params();
  const where = [`t.experiment_id = ${q.add(experimentId)}`, `t.session_id = ${q.add(sessionId)}`];
  let startIndex = 0;
  if (p.pageToken) {
    const c = decodeCursor(p.pageToken, "turn", "asc");
    const [time, index] = c.v.split(":");
    if (!/^-?\d+$/.test(time) || !/^\d+$/.test(index ?? "")) throw invalidParameter(`Invalid page_token '${p.pageToken}'`);
    where.push(`(t.request_time, t.trace_id) > (${q.add(time)}::bigint, ${q.add(c.k)})`);
    startIndex = Number(index);
  }
  const pool = getPool();
  const { rows } = await pool.query(
    `SELECT t.trace_id, t.name, t.user_id, t.state, t.request_time, t.execution_duration, t.input_tokens, t.output_tokens,
            t.total_tokens, t.cost, t.span_count, t.error_count, t.root_span_id, t.request_preview, t.response_preview
       FROM traces t
      WHERE ${where.join(" AND ")}
      ORDER BY t.request_time, t.trace_id
      LIMIT ${q.add(size + 1)}`,
    q.values,
  );
  const page = rows.slice(0, size);
  if (!page.length) {
    if (!p.pageToken) await getSession(experimentId, sessionId); // 404 for an unknown session
    return { items: [], nextPageToken: null };
  }
  const ids = page.map((r) => r.trace_id as string);

  const spanRows = await pool.query(
    `SELECT s.trace_id, s.span_id, s.parent_span_id, s.name, s.span_type, s.start_time_ns, s.status_code, s.status_message,
            CASE WHEN s.span_type = 'TOOL' AND s.parent_span_id IS NOT NULL THEN left(s.inputs, ${TOOL_IO_CHARS}) ELSE s.inputs END AS inputs,
            CASE WHEN s.span_type = 'TOOL' AND s.parent_span_id IS NOT NULL THEN left(s.outputs, ${TOOL_IO_CHARS}) ELSE s.outputs END AS outputs,
            CASE WHEN s.parent_span_id IS NULL THEN s.attributes ELSE '{}'::jsonb END AS attributes,
            CASE WHEN s.parent_span_id IS NULL THEN s.events ELSE '[]'::jsonb END AS events
       FROM spans s
      WHERE s.trace_id = ANY($1) AND (s.parent_span_id IS NULL OR s.span_type = 'TOOL')`,
    [ids],
  );
  const byTrace = new Map<string, { root: TurnSpan | null; others: TurnSpan[] }>();
  const spanOf = (r: Record<string, unknown>): TurnSpan => ({
    spanId: r.span_id as string,
    parentSpanId: (r.parent_span_id as string | null) ?? null,
    name: r.name as string,
    spanType: (r.span_type as string | null) ?? null,
    startTimeNs: r.start_time_ns as string,
    statusCode: r.status_code as string,
    statusMessage: (r.status_message as string | null) ?? null,
    inputs: r.inputs,
    outputs: r.outputs,
    attributes: r.attributes as Record<string, unknown>,
    events: r.events,
  });
  for (const r of spanRows.rows) {
    const e = byTrace.get(r.trace_id) ?? { root: null, others: [] };
    const s = spanOf(r);
    if (s.parentSpanId === null && !e.root) e.root = s;
    else e.others.push(s);
    byTrace.set(r.trace_id, e);
  }

  const turns = page.map((r, i) => {
    const e = byTrace.get(r.trace_id) ?? { root: null, others: [] };
    return { r, i, e, turn: turnFromTrace({ rootSpan: e.root, spans: e.others, requestPreview: r.request_preview, responsePreview: r.response_preview }) };
  });

  // model spans for the turns the root span (or the previews) could not tell
  const needModel = turns.filter((t) => t.turn.user === null || t.turn.assistant === null || t.turn.source === "preview").map((t) => t.r.trace_id as string);
  if (needModel.length) {
    const model = await pool.query(
      `SELECT s.trace_id, s.span_id, s.parent_span_id, s.name, s.span_type, s.start_time_ns, s.status_code, s.status_message,
              s.inputs, s.outputs, s.attributes, s.events
         FROM spans s
        WHERE s.trace_id = ANY($1) AND s.span_type = ANY($2) AND s.parent_span_id IS NOT NULL`,
      [needModel, MODEL_OR_TOOL_TYPES.filter((x) => x !== "TOOL")],
    );
    const modelByTrace = new Map<string, TurnSpan[]>();
    for (const r of model.rows) {
      const list = modelByTrace.get(r.trace_id) ?? [];
      list.push(spanOf(r));
      modelByTrace.set(r.trace_id, list);
    }
    for (const t of turns) {
      const extra = modelByTrace.get(t.r.trace_id);
      if (!extra) continue;
      t.turn = turnFromTrace({ rootSpan: t.e.root, spans: [...t.e.others, ...extra], requestPreview: t.r.request_preview, responsePreview: t.r.response_preview });
    }
  }

  const items: SessionTurn[] = turns.map(({ r, i, e, turn }) => ({
    traceId: r.trace_id,
    index: startIndex + i + 1,
    name: r.name ?? null,
    userId: r.user_id ?? null,
    state: r.state,
    requestTime: Number(r.request_time),
    executionDuration: numOrNull(r.execution_duration),
    inputTokens: numOrNull(r.input_tokens),
    outputTokens: numOrNull(r.output_tokens),
    totalTokens: numOrNull(r.total_tokens),
    cost: numOrNull(r.cost),
    spanCount: num(r.span_count),
    errorCount: num(r.error_count),
    errorMessage: e.root?.statusCode === "ERROR" ? e.root.statusMessage || null : null,
    turn,
  }));
  const last = page[page.length - 1];
  const nextPageToken = rows.length > size ? encodeCursor({ s: "turn", d: "asc", v: `${last.request_time}:${startIndex + page.length}`, k: last.trace_id }) : null;
  return { items, nextPageToken };
}

export interface SessionFeedback {
  assessmentId: string;
  traceId: string;
  name: string;
  value: unknown;
  rationale: string | null;
  sourceType: string;
  sourceId: string | null;
  createTime: number;
  lastUpdateTime: number;
}

export const SESSION_ASSESSMENT_KEY = "mlflow.assessment.onlineScoringSessionId";

/**
 * Session-level feedback. Like MLflow's multi-turn scorers, it is stored on the first trace of the session
 * with the metadata key mlflow.assessment.onlineScoringSessionId; only valid (not overridden) ones.
 */
export async function listSessionFeedback(experimentIdRaw: string, sessionId: string): Promise<SessionFeedback[]> {
  const experimentId = experimentIdOf(experimentIdRaw);
  const { rows } = await getPool().query(
    `SELECT a.assessment_id, a.trace_id, a.name, a.value, a.rationale, a.source_type, a.source_id, a.create_time, a.last_update_time
       FROM assessments a
       JOIN traces t ON t.trace_id = a.trace_id
      WHERE t.experiment_id = $1 AND t.session_id = $2 AND a.kind = 'feedback' AND a.valid
        AND a.metadata ->> '${SESSION_ASSESSMENT_KEY}' = $2
      ORDER BY a.create_time DESC`,
    [experimentId, sessionId],
  );
  return rows.map((r) => ({
    assessmentId: r.assessment_id,
    traceId: r.trace_id,
    name: r.name,
    value: r.value,
    rationale: r.rationale ?? null,
    sourceType: r.source_type,
    sourceId: r.source_id ?? null,
    createTime: Number(r.create_time),
    lastUpdateTime: Number(r.last_update_time),
  }));
}

/** Whether any trace of the experiment belongs to a session (the empty Sessions tab explains how). */
export async function hasSessions(experimentIdRaw: string): Promise<boolean> {
  const experimentId = experimentIdOf(experimentIdRaw);
  const { rowCount } = await getPool().query("SELECT 1 FROM trace_sessions WHERE experiment_id = $1 LIMIT 1", [experimentId]);
  return Boolean(rowCount);
}
