// Conversations end to end: two users each hold a 3-turn conversation, sent over OTLP/HTTP the way the
// MLflow SDK does (mlflow.trace.session / mlflow.trace.user on the root span) and the way a plain
// OpenTelemetry app does (session.id / user.id). Then: Sessions tab → transcript → a turn's trace →
// session feedback → Users tab → user page → back to the filtered trace table.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { http, uniqueName } from "../lib/testing/http";

const hex = (n: number) => randomBytes(n).toString("hex");
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

interface Turn {
  question: string;
  answer: string;
  tool: { name: string; args: object; result?: object; error?: string };
  inTok: number;
  outTok: number;
}

async function sendTurn(experimentId: string, style: "mlflow" | "otel", sessionId: string, userId: string, t: Turn, startMs: number): Promise<string> {
  const traceId = hex(16);
  const rootId = hex(8);
  const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
  const sessionAttrs = style === "mlflow" ? [str("mlflow.trace.session", sessionId), str("mlflow.trace.user", userId)] : [str("session.id", sessionId), str("user.id", userId)];
  const spans = [
    {
      traceId,
      spanId: rootId,
      name: "agent_turn",
      kind: 1,
      startTimeUnixNano: ns(startMs),
      endTimeUnixNano: ns(startMs + 900),
      attributes: [str("mlflow.spanType", "AGENT"), str("mlflow.spanInputs", JSON.stringify({ question: t.question })), str("mlflow.spanOutputs", JSON.stringify({ answer: t.answer })), ...sessionAttrs],
      status: { code: 1 },
    },
    {
      traceId,
      spanId: hex(8),
      parentSpanId: rootId,
      name: t.tool.name,
      kind: 1,
      startTimeUnixNano: ns(startMs + 100),
      endTimeUnixNano: ns(startMs + 300),
      attributes: [str("mlflow.spanType", "TOOL"), str("mlflow.spanInputs", JSON.stringify(t.tool.args)), ...(t.tool.result ? [str("mlflow.spanOutputs", JSON.stringify(t.tool.result))] : [])],
      status: t.tool.error ? { code: 2, message: t.tool.error } : { code: 1 },
      events: t.tool.error ? [{ name: "exception", timeUnixNano: ns(startMs + 300), attributes: [str("exception.message", t.tool.error)] }] : [],
    },
    {
      traceId,
      spanId: hex(8),
      parentSpanId: rootId,
      name: "generate_answer",
      kind: 1,
      startTimeUnixNano: ns(startMs + 350),
      endTimeUnixNano: ns(startMs + 850),
      attributes: [
        str("mlflow.spanType", "CHAT_MODEL"),
        str("mlflow.spanInputs", JSON.stringify({ messages: [{ role: "system", content: "Be concise." }, { role: "user", content: t.question }] })),
        str("mlflow.spanOutputs", JSON.stringify({ role: "assistant", content: t.answer })),
        str("mlflow.chat.tokenUsage", JSON.stringify({ input_tokens: t.inTok, output_tokens: t.outTok, total_tokens: t.inTok + t.outTok })),
      ],
      status: { code: 1 },
    },
  ];
  const body = { resourceSpans: [{ resource: { attributes: [str("service.name", "sessions-e2e")] }, scopeSpans: [{ scope: { name: "sessions-e2e" }, spans }] }] };
  const r = await http("POST", "/v1/traces", body, { "x-mlflow-experiment-id": experimentId });
  expect(r.status, r.text).toBe(200);
  return "tr-" + traceId;
}

const ALICE: Turn[] = [
  { question: "Where is my order #1234?", answer: "Order #1234 shipped on Monday and arrives tomorrow.", tool: { name: "lookup_order", args: { order_id: "1234" }, result: { status: "shipped", eta: "tomorrow" } }, inTok: 120, outTok: 30 },
  { question: "Can you send it to my office instead?", answer: "The carrier could not be reached, but I noted the office address for the delivery.", tool: { name: "update_address", args: { order_id: "1234" }, error: "CarrierError: carrier API timed out" }, inTok: 160, outTok: 40 },
  { question: "Thanks! What's the tracking number?", answer: "The tracking number is JD014600.", tool: { name: "lookup_order", args: { order_id: "1234" }, result: { tracking: "JD014600" } }, inTok: 200, outTok: 20 },
];
const BOB: Turn[] = [
  { question: "How do I reset my password?", answer: "Use the 'Forgot password' link on the sign-in page.", tool: { name: "search_docs", args: { q: "reset password" }, result: { hits: 3 } }, inTok: 90, outTok: 25 },
  { question: "I never got the email.", answer: "I re-sent it; check your spam folder too.", tool: { name: "resend_email", args: { kind: "reset" }, result: { sent: true } }, inTok: 110, outTok: 15 },
  { question: "Got it, thanks.", answer: "You're welcome!", tool: { name: "close_ticket", args: {}, result: { closed: true } }, inTok: 130, outTok: 5 },
];

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `e2e/screenshots/${name}.png` });
}

test("sessions and users: list, transcript, trace, feedback, user page, filtered traces", async ({ page }) => {
  const created = await http("POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName("sessions-e2e") });
  expect(created.status, created.text).toBe(200);
  const exp: string = created.json.experiment_id;
  const aliceSession = uniqueName("order-help");
  const bobSession = uniqueName("password-reset");
  const t0 = Date.now() - 10 * 60_000;
  for (const [i, t] of ALICE.entries()) await sendTurn(exp, "mlflow", aliceSession, "alice", t, t0 + i * 60_000);
  for (const [i, t] of BOB.entries()) await sendTurn(exp, "otel", bobSession, "bob", t, t0 + 30_000 + i * 60_000);

  // Sessions tab
  await page.goto(`/experiments/${exp}/traces`);
  await page.getByRole("link", { name: "Sessions", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/experiments/${exp}/sessions$`));
  const rows = page.getByTestId("session-row");
  await expect(rows).toHaveCount(2);
  const aliceRow = rows.filter({ hasText: aliceSession });
  await expect(aliceRow.getByTestId("session-turns")).toHaveText("3");
  await expect(aliceRow.getByTestId("session-tokens")).toHaveText("570");
  await expect(aliceRow.getByTestId("session-errors")).toHaveText("1");
  await expect(aliceRow).toContainText("alice");
  await expect(aliceRow).toContainText("Where is my order #1234?");
  const bobRow = rows.filter({ hasText: bobSession });
  await expect(bobRow.getByTestId("session-turns")).toHaveText("3");
  await expect(bobRow.getByTestId("session-tokens")).toHaveText("375");
  await expect(bobRow.getByTestId("session-errors")).toHaveText("0");
  await shot(page, "sessions-list");

  // search and filters are in the URL
  await page.getByLabel("Search sessions").fill("password");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(rows).toHaveCount(1);
  await expect(page).toHaveURL(/q=password/);
  await expect(rows.first()).toContainText(bobSession);
  await page.getByRole("button", { name: "Clear" }).click();
  await expect(rows).toHaveCount(2);
  await page.getByLabel("Errors").selectOption("1");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(aliceSession);
  await page.getByLabel("Errors").selectOption("");
  await page.getByRole("button", { name: "Turns" }).click();
  await expect(page).toHaveURL(/sort=turns/);
  await expect(rows).toHaveCount(2);

  // the transcript
  await rows.filter({ hasText: aliceSession }).getByTestId("session-link").click();
  await expect(page.getByTestId("session-title")).toContainText(aliceSession);
  const turns = page.getByTestId("turn");
  await expect(turns).toHaveCount(3);
  await expect(turns.nth(0).getByTestId("turn-user")).toHaveText("Where is my order #1234?");
  await expect(turns.nth(0).getByTestId("turn-assistant")).toContainText("arrives tomorrow");
  await expect(turns.nth(1).getByTestId("turn-tool")).toContainText("update_address");
  await expect(turns.nth(1).getByTestId("turn-tool")).toContainText("CarrierError");
  await expect(turns.nth(2).getByTestId("turn-assistant")).toContainText("JD014600");
  await expect(page.getByTestId("summary-turns")).toHaveText("3");
  await expect(page.getByTestId("summary-tokens")).toHaveText("570");
  await expect(page.getByTestId("summary-user")).toHaveText("alice");
  await shot(page, "session-transcript");

  // a turn expands into its trace
  await turns.nth(1).getByTestId("turn-expand").click();
  const traceView = turns.nth(1).getByTestId("trace-view");
  await expect(traceView).toBeVisible();
  await expect(traceView.getByTestId("span-tree")).toContainText("update_address");
  await expect(traceView.getByTestId("span-tree")).toContainText("generate_answer");
  await shot(page, "session-turn-trace");
  await turns.nth(1).getByTestId("turn-expand").click();
  await expect(turns.nth(1).getByTestId("trace-view")).toHaveCount(0);

  // session-level feedback, stored as an assessment on the first trace
  const sidebar = page.getByTestId("session-sidebar");
  await sidebar.getByRole("button", { name: "Thumbs up" }).click();
  await sidebar.getByLabel("Rationale").fill("Resolved despite the carrier error");
  await sidebar.getByRole("button", { name: "Save" }).click();
  await expect(sidebar.getByTestId("session-feedback-list")).toContainText("Resolved despite the carrier error");
  await expect(sidebar.getByTestId("session-feedback-list")).toContainText("session_quality");
  await shot(page, "session-feedback");

  // Users tab
  await page.getByRole("link", { name: "Users", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/experiments/${exp}/users$`));
  const userRows = page.getByTestId("user-row");
  await expect(userRows).toHaveCount(2);
  for (const u of ["alice", "bob"]) {
    const row = userRows.filter({ has: page.getByTestId("user-link").filter({ hasText: new RegExp(`^${u}$`) }) });
    await expect(row.getByTestId("user-sessions")).toHaveText("1");
    await expect(row.getByTestId("user-traces")).toHaveText("3");
  }
  await shot(page, "users-list");

  // the user page lists their sessions and links to their traces
  await page.getByTestId("user-link").filter({ hasText: /^alice$/ }).click();
  await expect(page.getByTestId("user-title")).toHaveText("alice");
  await expect(page.getByTestId("user-stat-sessions")).toHaveText("1");
  await expect(page.getByTestId("session-row")).toHaveCount(1);
  await expect(page.getByTestId("session-row")).toContainText(aliceSession);
  await shot(page, "user-page");

  await page.getByTestId("user-traces-link").click();
  await expect(page).toHaveURL(/\/traces\?filter=/);
  expect(decodeURIComponent(new URL(page.url()).searchParams.get("filter") ?? "")).toBe("metadata.`mlflow.trace.user` = 'alice'");
  await expect(page.getByTestId("trace-count")).toHaveText("3 traces");
  await shot(page, "user-traces");
});

test("an experiment without sessions explains how to set them", async ({ page }) => {
  const created = await http("POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName("sessions-empty") });
  const exp: string = created.json.experiment_id;
  await page.goto(`/experiments/${exp}/sessions`);
  const help = page.getByTestId("sessions-empty");
  await expect(help).toContainText("mlflow.trace.session");
  await expect(help).toContainText("update_current_trace");
  await help.getByRole("tab", { name: "OpenTelemetry" }).click();
  await expect(help).toContainText("session.id");
  await shot(page, "sessions-empty");
  await page.goto(`/experiments/${exp}/users`);
  await expect(page.getByText("No users in this experiment yet")).toBeVisible();
});

test("an unknown session or user says which is missing, not that the experiment is (issue #18)", async ({ page }) => {
  const created = await http("POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName("sessions-missing") });
  const exp: string = created.json.experiment_id;
  await page.goto(`/experiments/${exp}/sessions/no-such-chat`);
  await expect(page.getByText("Session not found")).toBeVisible();
  await expect(page.getByText("Experiment not found")).toHaveCount(0);
  await page.goto(`/experiments/${exp}/users/no-such-user`);
  await expect(page.getByText("User not found")).toBeVisible();
  await expect(page.getByText("Experiment not found")).toHaveCount(0);
});

test("a 10,000-turn session scrolls to its last turn with only a screenful of turns in the DOM", async ({ page }) => {
  test.setTimeout(180_000);
  const created = await http("POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName("sessions-long") });
  const exp: string = created.json.experiment_id;
  const sid = uniqueName("long-chat");
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    const t0 = Date.now() - 20_000 * 60_000;
    await db.query(
      `INSERT INTO traces (trace_id, experiment_id, request_time, execution_duration, end_time, state, request_preview, response_preview,
         session_id, user_id, input_tokens, output_tokens, total_tokens, span_count, root_span_id, info_finalized, updated_at)
       SELECT 'tr-' || md5($3 || k), $1, $2::bigint + k * 60000, 800, $2::bigint + k * 60000 + 800, 'OK',
              '{"question":"Question number ' || (k + 1) || '"}', '{"answer":"Answer number ' || (k + 1) || '"}',
              $3, 'longuser', 10, 5, 15, 1, substr(md5($3 || k), 1, 16), true, 0
         FROM generate_series(0, 9999) k`,
      [exp, t0, sid],
    );
  } finally {
    await db.end();
  }
  await page.goto(`/experiments/${exp}/sessions/${encodeURIComponent(sid)}`);
  await expect(page.getByTestId("summary-turns")).toHaveText("10,000");
  const turns = page.getByTestId("turn");
  await expect(turns.first().getByTestId("turn-user")).toHaveText("Question number 1");
  const transcript = page.getByTestId("transcript");
  const last = page.locator('[data-testid="turn"]', { hasText: "Answer number 10000" });
  let maxInDom = 0;
  for (let i = 0; i < 400 && !(await last.isVisible()); i++) {
    await transcript.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.waitForTimeout(150);
    maxInDom = Math.max(maxInDom, await turns.count());
  }
  await expect(last).toBeVisible();
  await expect(last).toContainText("Turn 10,000");
  expect(maxInDom).toBeLessThan(40);
  await shot(page, "session-10000-turns-end");
});
