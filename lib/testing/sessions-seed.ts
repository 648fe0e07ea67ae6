// Rows as ingest stores them, written with SQL, for the session tests and the benchmark: traces with the
// denormalized session/user columns and spans shaped like the wire fixtures (an AGENT root with
// {question}/{answer}, a CHAT_MODEL call, tool calls). "python" puts session and user in trace metadata
// (mlflow.trace.session / mlflow.trace.user); "otel" only in the root span attributes (session.id /
// user.id), as an OTLP exporter sends them.
import { randomBytes } from "node:crypto";
import type pg from "pg";

export interface SeedTurn {
  question: string;
  answer: string;
  startMs: number;
  durationMs: number;
  inputTokens?: number;
  outputTokens?: number;
  cost?: number | null;
  /** the trace failed (state ERROR, root span ERROR) */
  failed?: boolean;
  /** a tool span that failed while the trace succeeded */
  failingTool?: string;
  tools?: { name: string; args: unknown; result: unknown }[];
  userId?: string | null;
}

export interface SeedConversation {
  experimentId: string;
  sessionId: string | null;
  userId: string | null;
  style: "python" | "otel";
  turns: SeedTurn[];
}

const hex = (n: number) => randomBytes(n).toString("hex");

export async function createExperiment(db: pg.Pool | pg.Client, name: string): Promise<string> {
  const now = Date.now();
  const { rows } = await db.query(
    `INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
     VALUES ($1, 'mlflow-artifacts:/seed', 'active', $2, $2) RETURNING experiment_id`,
    [name, now],
  );
  const id = String(rows[0].experiment_id);
  await db.query("UPDATE experiments SET artifact_location = $2 WHERE experiment_id = $1", [id, `mlflow-artifacts:/${id}`]);
  return id;
}

/** Inserts the turns of one conversation; returns the trace ids in turn order. */
export async function seedConversation(db: pg.Pool | pg.Client, c: SeedConversation): Promise<string[]> {
  const ids: string[] = [];
  for (const t of c.turns) {
    const traceId = "tr-" + hex(16);
    ids.push(traceId);
    const userId = t.userId !== undefined ? t.userId : c.userId;
    const rootId = hex(8);
    const inTok = t.inputTokens ?? 40;
    const outTok = t.outputTokens ?? 10;
    const request = JSON.stringify({ question: t.question });
    const response = t.failed ? null : JSON.stringify({ answer: t.answer });
    const metadata: Record<string, string> = { "mlflow.trace_schema.version": "3", "mlflow.trace.tokenUsage": JSON.stringify({ input_tokens: inTok, output_tokens: outTok, total_tokens: inTok + outTok }) };
    if (c.style === "python") {
      if (c.sessionId) metadata["mlflow.trace.session"] = c.sessionId;
      if (userId) metadata["mlflow.trace.user"] = userId;
    }
    const tools = t.tools ?? [];
    const spans: unknown[][] = [];
    const startNs = BigInt(t.startMs) * 1_000_000n;
    const endNs = startNs + BigInt(t.durationMs) * 1_000_000n;
    const rootAttrs: Record<string, unknown> = { "mlflow.spanType": "AGENT", "mlflow.traceRequestId": traceId };
    if (c.style === "otel") {
      if (c.sessionId) rootAttrs["session.id"] = c.sessionId;
      if (userId) rootAttrs["user.id"] = userId;
    }
    spans.push([traceId, rootId, null, "agent_turn", "AGENT", startNs, endNs, t.failed ? "ERROR" : "OK", t.failed ? "AgentError: the model timed out" : null, rootAttrs, request, response, []]);
    let offset = 1n;
    for (const tool of tools) {
      spans.push([traceId, hex(8), rootId, tool.name, "TOOL", startNs + offset, startNs + offset + 1000n, "OK", null, { "mlflow.spanType": "TOOL" }, JSON.stringify(tool.args), JSON.stringify(tool.result), []]);
      offset += 2000n;
    }
    if (t.failingTool) {
      spans.push([
        traceId,
        hex(8),
        rootId,
        t.failingTool,
        "TOOL",
        startNs + offset,
        startNs + offset + 1000n,
        "ERROR",
        "ToolError: search backend unavailable",
        { "mlflow.spanType": "TOOL" },
        JSON.stringify({ query: t.question }),
        null,
        [{ name: "exception", attributes: { "exception.type": "ToolError", "exception.message": "search backend unavailable" } }],
      ]);
      offset += 2000n;
    }
    spans.push([
      traceId,
      hex(8),
      rootId,
      "generate_answer",
      "CHAT_MODEL",
      startNs + offset,
      endNs - 1n,
      t.failed ? "ERROR" : "OK",
      null,
      { "mlflow.spanType": "CHAT_MODEL", "mlflow.chat.tokenUsage": { input_tokens: inTok, output_tokens: outTok, total_tokens: inTok + outTok } },
      JSON.stringify({ messages: [{ role: "system", content: "Answer briefly." }, { role: "user", content: t.question }] }),
      t.failed ? null : JSON.stringify({ role: "assistant", content: t.answer }),
      [],
    ]);
    const errorSpans = spans.filter((s) => s[7] === "ERROR").length;
    await db.query(
      `INSERT INTO traces (trace_id, experiment_id, request_time, execution_duration, end_time, state, request_preview, response_preview,
         trace_metadata, tags, name, session_id, user_id, input_tokens, output_tokens, total_tokens, cost, span_count, error_count,
         root_span_id, info_finalized, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'{}',$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,true,$20)`,
      [traceId, c.experimentId, t.startMs, t.durationMs, t.startMs + t.durationMs, t.failed ? "ERROR" : "OK", request, response, metadata, "agent_turn", c.sessionId, userId, inTok, outTok, inTok + outTok, t.cost ?? null, spans.length, errorSpans, rootId, Date.now()],
    );
    for (const s of spans) {
      await db.query(
        `INSERT INTO spans (trace_id, span_id, parent_span_id, experiment_id, name, span_type, start_time_ns, end_time_ns, status_code, status_message, attributes, inputs, outputs, events)
         VALUES ($1,$2,$3,$14,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
        [...s.slice(0, 9).map((v) => (typeof v === "bigint" ? v.toString() : v)), JSON.stringify(s[9]), s[10], s[11], JSON.stringify(s[12]), c.experimentId],
      );
    }
  }
  return ids;
}

/** A three-turn conversation like the wire fixtures (turn 2 has a failing web_search tool). */
export function fixtureTurns(startMs: number, prefix = ""): SeedTurn[] {
  return [
    { question: `${prefix}What is MLflow Tracing?`, answer: "Answer 1 based on 2 documents.", startMs, durationMs: 54, inputTokens: 41, outputTokens: 11, tools: [{ name: "calculator", args: { a: 6, b: 7 }, result: { product: 42 } }] },
    { question: `${prefix}How do I search the web for MLflow docs?`, answer: "Answer 2 based on 2 documents.", startMs: startMs + 66, durationMs: 39, inputTokens: 42, outputTokens: 12, failingTool: "web_search", tools: [{ name: "calculator", args: { a: 6, b: 7 }, result: { product: 42 } }] },
    { question: `${prefix}Summarize our conversation.`, answer: "Answer 3 based on 2 documents.", startMs: startMs + 112, durationMs: 18, inputTokens: 43, outputTokens: 13, cost: 0.0021 },
  ];
}
