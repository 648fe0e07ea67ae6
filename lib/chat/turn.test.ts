import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { previewText, turnFromTrace, type TurnSpan } from "./turn";
import { WIRE_FIXTURES_DIR } from "../testing/fixtures";

const lines = readFileSync(`${WIRE_FIXTURES_DIR}/b-nested-spans-session.jsonl`, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l));

function spansOfTurn(n: number): TurnSpan[] {
  const upload = lines.filter((l) => l.method === "PUT")[n - 1];
  return upload.body_json.spans.map((s: any) => ({
    spanId: s.span_id,
    parentSpanId: s.parent_span_id || null,
    name: s.name,
    spanType: s.attributes["mlflow.spanType"],
    startTimeNs: String(s.start_time_unix_nano),
    statusCode: s.status.code.replace("STATUS_CODE_", ""),
    statusMessage: s.status.message,
    inputs: JSON.stringify(s.attributes["mlflow.spanInputs"]),
    outputs: JSON.stringify(s.attributes["mlflow.spanOutputs"]),
    attributes: s.attributes,
    events: s.events,
  }));
}

test("turn of fixture b: the user's question and the final answer from the root span, tool spans as calls", () => {
  const spans = spansOfTurn(2);
  const root = spans.find((s) => s.parentSpanId === null)!;
  const turn = turnFromTrace({ rootSpan: root, spans: spans.filter((s) => s !== root) });
  assert.equal(turn.source, "root");
  assert.match(turn.user!, /\?$/);
  assert.match(turn.assistant!, /^Answer 2 /);
  assert.deepEqual(
    turn.toolCalls.map((t) => t.name),
    spans.filter((s) => s.spanType === "TOOL").sort((a, b) => (BigInt(a.startTimeNs!) < BigInt(b.startTimeNs!) ? -1 : 1)).map((s) => s.name),
  );
  const failed = turn.toolCalls.find((t) => t.name === "web_search")!;
  assert.ok(failed.error, "the failing web_search span is marked");
  const calc = turn.toolCalls.find((t) => t.name === "calculator")!;
  assert.equal(calc.arguments, '{"a":6,"b":7}');
  assert.equal(calc.result, '{"product":42}');
});

test("root span with no chat content: falls back to the model spans", () => {
  const turn = turnFromTrace({
    rootSpan: { spanId: "r", parentSpanId: null, name: "run", spanType: "CHAIN", inputs: '{"x":1}', outputs: '{"y":2}' },
    spans: [
      { spanId: "l1", parentSpanId: "r", name: "llm1", spanType: "CHAT_MODEL", startTimeNs: 1n, inputs: { messages: [{ role: "user", content: "first question" }] }, outputs: { choices: [{ message: { role: "assistant", content: "thinking" } }] } },
      { spanId: "l2", parentSpanId: "r", name: "llm2", spanType: "LLM", startTimeNs: 2n, inputs: { messages: [{ role: "user", content: "first question" }, { role: "assistant", content: "thinking" }, { role: "user", content: "tool said 3" }] }, outputs: { choices: [{ message: { role: "assistant", content: "The answer is 3." } }] } },
    ],
  });
  assert.equal(turn.user, "first question");
  assert.equal(turn.assistant, "The answer is 3.");
  assert.equal(turn.source, "llm");
});

test("no spans: the previews", () => {
  const turn = turnFromTrace({ requestPreview: '{"messages":[{"role":"user","content":"hey"}]}', responsePreview: "hello!" });
  assert.deepEqual(turn, { user: "hey", assistant: "hello!", toolCalls: [], source: "preview" });
  assert.deepEqual(turnFromTrace({}), { user: null, assistant: null, toolCalls: [], source: null });
});

test("tool calls from messages when there are no tool spans", () => {
  const turn = turnFromTrace({
    rootSpan: {
      spanId: "r",
      parentSpanId: null,
      name: "chat",
      spanType: "CHAT_MODEL",
      inputs: {
        messages: [
          { role: "user", content: "old question" },
          { role: "assistant", content: "", tool_calls: [{ id: "old", type: "function", function: { name: "old_tool", arguments: "{}" } }] },
          { role: "user", content: "weather?" },
          { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } }] },
          { role: "tool", tool_call_id: "c1", content: "sunny" },
        ],
      },
      outputs: { choices: [{ message: { role: "assistant", content: "Sunny in Rome." } }] },
    },
  });
  assert.equal(turn.user, "weather?");
  assert.equal(turn.assistant, "Sunny in Rome.");
  assert.deepEqual(turn.toolCalls, [{ name: "weather", arguments: '{"city":"Rome"}', result: "sunny" }]);
});

test("previewText reads the user's text out of a preview, else keeps it", () => {
  assert.equal(previewText('{"question": "What is MLflow Tracing?", "turn": 1}'), "What is MLflow Tracing?");
  assert.equal(previewText('{"a": 1}'), '{"a": 1}');
  assert.equal(previewText(null), null);
  assert.equal(previewText('{"answer":"yes"}', "response"), "yes");
});
