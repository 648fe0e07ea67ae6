// The user journey of the traces UI against the production server: create an experiment in the UI, send
// traces over OTLP/JSON and over the MLflow REST API (replayed wire captures of real clients), watch them
// appear without a reload, filter with the grammar, open a trace, read its tree, chat, payloads and error
// event, tag it, give feedback, delete a trace.
import { expect, test, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { baseUrl, uniqueName } from "../lib/testing/http";
import { WIRE_FIXTURES_DIR } from "../lib/testing/fixtures";

const WIRE = WIRE_FIXTURES_DIR;

interface WireCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body_encoding: string;
  body_text?: string;
  body_base64?: string;
}

function loadCalls(file: string): WireCall[] {
  return readFileSync(path.join(WIRE, file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as WireCall);
}

/**
 * Replays a capture into `experimentId` with fresh trace ids (the database is shared between test runs):
 * every trace id is rewritten in its hex, "tr-" hex, base64 and raw-bytes (protobuf) forms.
 */
async function replay(file: string, experimentId: string): Promise<string[]> {
  const calls = loadCalls(file);
  const hexIds = new Set<string>();
  for (const c of calls) {
    for (const m of (c.body_text ?? "").matchAll(/tr-([0-9a-f]{32})/g)) hexIds.add(m[1]);
    for (const m of (c.body_text ?? "").matchAll(/"traceId":"([0-9a-f]{32})"/g)) hexIds.add(m[1]);
  }
  const map = new Map([...hexIds].map((h) => [h, randomBytes(16).toString("hex")]));
  const rewriteText = (s: string) => {
    for (const [from, to] of map) {
      s = s.split(from).join(to);
      s = s.split(Buffer.from(from, "hex").toString("base64")).join(Buffer.from(to, "hex").toString("base64"));
    }
    return s.replace(/"experiment_id":"1"/g, `"experiment_id":"${experimentId}"`);
  };
  const rewriteBytes = (b: Buffer) => {
    for (const [from, to] of map) {
      const f = Buffer.from(from, "hex");
      for (let i = b.indexOf(f); i >= 0; i = b.indexOf(f, i + 16)) Buffer.from(to, "hex").copy(b, i);
    }
    return b;
  };
  for (const c of calls) {
    const headers: Record<string, string> = {};
    if (c.headers["content-type"]) headers["content-type"] = c.headers["content-type"];
    if (c.headers["x-mlflow-experiment-id"]) headers["x-mlflow-experiment-id"] = experimentId;
    const body = c.body_encoding === "protobuf" || c.body_encoding === "binary" ? rewriteBytes(Buffer.from(c.body_base64!, "base64")) : c.body_text !== undefined ? rewriteText(c.body_text) : undefined;
    const p = rewriteText(c.path).replace(/\/artifacts\/1\/traces\//, `/artifacts/${experimentId}/traces/`);
    const res = await fetch(baseUrl() + p, { method: c.method, headers, body: body as BodyInit | undefined });
    expect(res.status, `${c.method} ${p}: ${await res.clone().text()}`).toBeLessThan(300);
  }
  return [...map.values()].map((h) => `tr-${h}`);
}

async function createExperimentInUi(page: Page, name: string): Promise<string> {
  await page.goto("/");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Create Experiment" });
  await dialog.getByLabel("Experiment Name").fill(name);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page).toHaveURL(/\/experiments\/\d+\/traces$/);
  return /\/experiments\/(\d+)\/traces/.exec(page.url())![1];
}

/** A fresh experiment holding the OTLP capture's three traces, its table open and hydrated (the count
 *  comes from the client, so it also says the page listens for keys). */
async function openSeededTable(page: Page, prefix: string) {
  const res = await fetch(baseUrl() + "/ajax-api/2.0/mlflow/experiments/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: uniqueName(prefix) }) });
  const { experiment_id: experimentId } = (await res.json()) as { experiment_id: string };
  const ids = await replay("c2-otel-otlp-json.jsonl", experimentId);
  await page.goto(`/experiments/${experimentId}/traces`);
  const grid = page.getByRole("grid", { name: "Traces" });
  const rows = grid.locator("tbody tr[data-trace-id]");
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId("trace-count")).toHaveText("3 traces");
  return { ids, grid, rows };
}

test("traces journey: ingest, live table, filter, trace view, tag, feedback, delete", async ({ page }) => {
  test.setTimeout(120_000);
  const name = uniqueName("ui-traces");
  const experimentId = await createExperimentInUi(page, name);
  await expect(page.getByText("No traces yet")).toBeVisible();

  // Traces arrive while the page is open: the table must show them without a reload.
  const otlpIds = await replay("c2-otel-otlp-json.jsonl", experimentId);
  const restIds = await replay("b-nested-spans-session.jsonl", experimentId);
  expect(otlpIds).toHaveLength(3);
  expect(restIds).toHaveLength(3);
  const rows = page.locator("tbody tr[data-trace-id]");
  await expect(rows).toHaveCount(6, { timeout: 20_000 });
  await expect(page.getByTestId("trace-count")).toHaveText("6 traces");
  for (const id of [...otlpIds, ...restIds]) await expect(page.locator(`tr[data-trace-id="${id}"]`)).toHaveCount(1);
  await expect(rows.first().getByRole("link", { name: "session-fixture-0001" })).toHaveAttribute("href", `/experiments/${experimentId}/sessions/session-fixture-0001`);
  await page.screenshot({ path: "e2e/screenshots/traces-table.png" });

  // A grammar error is shown inline, pointing at its column.
  const box = page.getByLabel("Filter traces");
  await box.fill("span.name = 'web_search' AN trace.status = 'OK'");
  await box.press("Enter");
  await expect(page.getByTestId("filter-error")).toContainText("column 26");
  await page.screenshot({ path: "e2e/screenshots/traces-filter-error.png" });

  // The grammar: the turn-2 traces are the ones with a web_search span.
  await box.fill("span.name = 'web_search'");
  await box.press("Enter");
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId("trace-count")).toHaveText("2 traces");
  expect(page.url()).toContain("filter=span.name");

  // Open the REST-ingested turn-2 trace in the side panel.
  const restTurn2 = restIds[1];
  await page.locator(`tr[data-trace-id="${restTurn2}"]`).click();
  await expect(page).toHaveURL(new RegExp(`trace=${restTurn2}`));
  const view = page.getByTestId("trace-view");
  const tree = view.getByTestId("span-tree");
  for (const s of ["agent_turn", "plan", "retrieve_docs", "web_search", "calculator", "generate_answer", "format_output"]) {
    await expect(tree.getByRole("treeitem").filter({ hasText: s })).toHaveCount(1);
  }
  await expect(view.getByTestId("trace-header")).toContainText("user-fixture-0001");

  // The chat model span renders as a conversation.
  await tree.getByRole("treeitem").filter({ hasText: "generate_answer" }).click();
  await page.getByRole("tab", { name: "Chat" }).click();
  const chat = view.getByTestId("chat-view");
  await expect(chat).toContainText("How do I search the web for MLflow docs?");
  await expect(chat).toContainText("Answer 2 based on 2 documents.");
  await page.screenshot({ path: "e2e/screenshots/trace-chat.png" });

  // Inputs and outputs as JSON.
  await tree.getByRole("treeitem").filter({ hasText: "calculator" }).click();
  await page.getByRole("tab", { name: "Inputs / Outputs" }).click();
  await expect(view.getByRole("region", { name: "Outputs" })).toContainText("product");
  await expect(view.getByRole("region", { name: "Outputs" })).toContainText("42");

  // The failing tool span: status and the exception event with its stack trace.
  await tree.getByRole("treeitem").filter({ hasText: "web_search" }).click();
  await page.getByRole("tab", { name: /Events/ }).click();
  const exc = view.getByTestId("exception-event");
  await expect(exc).toContainText("search backend unavailable");
  await expect(exc).toContainText("at webSearch");
  expect(page.url()).toMatch(/span=[0-9a-f]{16}/);
  await page.screenshot({ path: "e2e/screenshots/trace-error-event.png" });

  // Tag the trace from its header.
  const tags = view.getByTestId("trace-tags");
  await tags.getByRole("button", { name: "Add tag" }).click();
  await tags.getByLabel("Tag key").fill("reviewed");
  await tags.getByLabel("Tag value").fill("by-e2e");
  await tags.getByRole("button", { name: "Save" }).click();
  await expect(tags).toContainText("reviewed");
  await expect(tags).toContainText("by-e2e");
  await expect(page.locator(`tr[data-trace-id="${restTurn2}"]`)).toContainText("by-e2e");

  // Feedback.
  await view.getByRole("button", { name: "Show assessments" }).click();
  const assessments = view.getByTestId("assessments");
  await assessments.getByRole("button", { name: "Add feedback" }).click();
  const form = assessments.getByRole("form", { name: "Add feedback" });
  await form.getByLabel("Feedback name").fill("helpful");
  await form.getByRole("button", { name: "Yes", exact: true }).click();
  await form.getByLabel("Rationale").fill("Recovered from the failing search.");
  await form.getByRole("button", { name: "Save feedback" }).click();
  await expect(assessments).toContainText("helpful");
  await expect(assessments).toContainText("Recovered from the failing search.");
  await page.screenshot({ path: "e2e/screenshots/trace-feedback.png" });

  // The same trace as a full page.
  await page.goto(`/experiments/${experimentId}/traces/${restTurn2}`);
  await expect(page.getByTestId("trace-header")).toContainText(restTurn2);
  await expect(page.getByTestId("assessments")).toContainText("helpful");
  await page.screenshot({ path: "e2e/screenshots/trace-page.png" });

  // Delete one trace from the table.
  await page.goto(`/experiments/${experimentId}/traces`);
  await expect(rows).toHaveCount(6);
  await page.getByLabel(`Select trace ${otlpIds[0]}`).check();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("dialog", { name: "Delete 1 trace" }).getByRole("button", { name: "Delete" }).click();
  await expect(rows).toHaveCount(5);
  await expect(page.locator(`tr[data-trace-id="${otlpIds[0]}"]`)).toHaveCount(0);
  await expect(page.getByTestId("trace-count")).toHaveText("5 traces");
  await page.goto(`/experiments/${experimentId}/traces/${otlpIds[0]}`);
  await expect(page.getByText("Trace not found")).toBeVisible();
});

test("keyboard: j/k move through the table, Enter opens, Escape closes", async ({ page }) => {
  const name = uniqueName("ui-keys");
  const res = await fetch(baseUrl() + "/ajax-api/2.0/mlflow/experiments/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  const { experiment_id: experimentId } = (await res.json()) as { experiment_id: string };
  const ids = await replay("c2-otel-otlp-json.jsonl", experimentId);
  await page.goto(`/experiments/${experimentId}/traces`);
  const rows = page.locator("tbody tr[data-trace-id]");
  await expect(rows).toHaveCount(3);
  // the count comes from the client, so it also says the page is hydrated and listening for keys
  await expect(page.getByTestId("trace-count")).toHaveText("3 traces");
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  const second = await rows.nth(1).getAttribute("data-trace-id");
  expect(ids).toContain(second);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`trace=${second}`));
  await expect(page.getByTestId("trace-header")).toContainText(second!);
  await page.keyboard.press("j");
  const third = await rows.nth(2).getAttribute("data-trace-id");
  await expect(page).toHaveURL(new RegExp(`trace=${third}`));
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("trace-view")).toHaveCount(0);
  expect(page.url()).not.toContain("trace=");
});

test("table: a sort header orders the rows through the URL, the picker hides a column, the checkbox selects", async ({ page }) => {
  const { grid, rows } = await openSeededTable(page, "ui-table");
  await expect(grid.getByRole("columnheader", { name: "Request time" })).toHaveAttribute("aria-sort", "descending");

  // The server sorts: a header click writes the order into the URL; a second click turns it round.
  const tokens = grid.getByRole("columnheader", { name: "Tokens" });
  await tokens.getByRole("button").click();
  await expect(page).toHaveURL(/order=total_tokens(\+|%20)DESC/);
  await expect(tokens).toHaveAttribute("aria-sort", "descending");
  await expect(grid.getByRole("columnheader", { name: "Request time" })).not.toHaveAttribute("aria-sort");
  await expect(rows.first()).toContainText("Summarize our conversation");
  await tokens.getByRole("button").click();
  await expect(page).toHaveURL(/order=total_tokens(\+|%20)ASC/);
  await expect(tokens).toHaveAttribute("aria-sort", "ascending");
  await expect(rows.first()).toContainText("What is MLflow Tracing?");

  // The picker hides a column; the choice outlives a reload.
  await expect(grid.getByRole("columnheader", { name: "Response", exact: true })).toHaveCount(1);
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("dialog", { name: "Choose columns" }).getByRole("checkbox", { name: "Response" }).uncheck();
  await expect(grid.getByRole("columnheader", { name: "Response", exact: true })).toHaveCount(0);
  await page.reload();
  await expect(rows).toHaveCount(3);
  await expect(grid.getByRole("columnheader", { name: "Request", exact: true })).toHaveCount(1);
  await expect(grid.getByRole("columnheader", { name: "Response", exact: true })).toHaveCount(0);

  // The checkbox selects without opening the row; the bulk bar counts; select-all takes the page.
  const first = await rows.first().getAttribute("data-trace-id");
  await page.getByLabel(`Select trace ${first}`).check();
  await expect(rows.first()).toHaveAttribute("aria-selected", "true");
  await expect(page.getByText("1 selected")).toBeVisible();
  expect(page.url()).not.toContain("trace=");
  await page.getByLabel("Select all on this page").check();
  await expect(page.getByText("3 selected")).toBeVisible();
  await page.getByRole("button", { name: "Clear selection" }).click();
  await expect(rows.first()).toHaveAttribute("aria-selected", "false");
  // x selects the row the keys have focused
  await page.keyboard.press("j");
  await expect(rows.first()).toHaveClass(/outline-indigo-400/);
  await page.keyboard.press("x");
  await expect(rows.first()).toHaveAttribute("aria-selected", "true");
  await expect(page.getByText("1 selected")).toBeVisible();
});

test("pickers: the search help, the column picker by keyboard; Add filter closes on an outside click, applies, and gives the focus back", async ({ page }) => {
  const { grid, rows } = await openSeededTable(page, "ui-pickers");

  // The search box's help opens on focus and leaves the focus in the field; an example fills it; an outside
  // click or Escape closes it.
  const box = page.getByLabel("Filter traces");
  await box.click();
  const help = page.getByRole("dialog", { name: "Filter examples" });
  await expect(help).toBeVisible();
  await expect(box).toBeFocused();
  await help.getByRole("button", { name: "trace.status = 'ERROR'", exact: true }).click();
  await expect(box).toHaveValue("trace.status = 'ERROR'");
  await expect(box).toBeFocused();
  await expect(help).toHaveCount(0);
  await box.fill("");
  await expect(help).toBeVisible();
  await page.getByTestId("trace-count").click();
  await expect(help).toHaveCount(0);
  await box.click();
  await expect(help).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(help).toHaveCount(0);
  await expect(box).not.toBeFocused();

  const columns = page.getByRole("button", { name: "Columns" });
  await columns.focus();
  await page.keyboard.press("Enter");
  const picker = page.getByRole("dialog", { name: "Choose columns" });
  await expect(picker).toBeVisible();
  // Trace ID is locked (disabled), so the focus starts on the first column one can hide; Tab goes on.
  await expect(picker.getByRole("checkbox", { name: "Request", exact: true })).toBeFocused();
  await page.keyboard.press("Tab");
  const response = picker.getByRole("checkbox", { name: "Response", exact: true });
  await expect(response).toBeFocused();
  await page.keyboard.press("Space");
  await expect(response).not.toBeChecked();
  await expect(grid.getByRole("columnheader", { name: "Response", exact: true })).toHaveCount(0);
  // keys typed in the picker are not the table's: j moves no focus ring onto a row
  await page.keyboard.press("j");
  await expect(grid.locator("tr.outline")).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(picker).toHaveCount(0);
  await expect(columns).toBeFocused();

  const add = page.getByRole("button", { name: "Add filter" });
  await add.click();
  const form = page.getByRole("dialog", { name: "Add filter" });
  await expect(form.getByLabel("Filter value")).toBeFocused();
  await page.getByTestId("trace-count").click();
  await expect(form).toHaveCount(0);
  await add.click();
  await form.getByLabel("Filter field").selectOption("span.name");
  await form.getByLabel("Filter value").fill("web_search");
  await form.getByLabel("Filter value").press("Enter");
  await expect(form).toHaveCount(0);
  await expect(rows).toHaveCount(1);
  expect(page.url()).toContain("filter=span.name");
  await expect(add).toBeFocused();
});
