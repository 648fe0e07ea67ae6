import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { extractChatMessages, mergeConversation, type ChatMessage } from "./messages";
import { WIRE_FIXTURES_DIR } from "../testing/fixtures";

const FIXTURES = WIRE_FIXTURES_DIR;
const readLines = (name: string) =>
  readFileSync(`${FIXTURES}/${name}`, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

const brief = (ms: ChatMessage[] | null) => ms?.map((m) => `${m.role}: ${m.content}`);

test("OpenAI chat completion: request messages + first choice (fixture a)", () => {
  const lines = readLines("a-quickstart-openai.jsonl");
  const span = lines[1].body_json.spans[0];
  const ms = extractChatMessages({ inputs: span.attributes["mlflow.spanInputs"], outputs: span.attributes["mlflow.spanOutputs"], attributes: span.attributes });
  assert.deepEqual(brief(ms), [
    "system: You are a helpful assistant.",
    "user: What is MLflow Tracing?",
    "assistant: MLflow Tracing records the inputs, outputs and timing of each step of an LLM application as a trace made of spans.",
  ]);
});

test("inputs and outputs given as stored JSON text parse the same as values", () => {
  const inputs = JSON.stringify({ messages: [{ role: "user", content: "hi" }] });
  const outputs = JSON.stringify({ choices: [{ message: { role: "assistant", content: "hello" } }] });
  assert.deepEqual(brief(extractChatMessages({ inputs, outputs })), ["user: hi", "assistant: hello"]);
});

test("MLflow TS SDK session fixture (b): root {question}/{answer}, chat model span, parser span", () => {
  const lines = readLines("b-nested-spans-session.jsonl");
  const spans = lines[1].body_json.spans as { name: string; attributes: Record<string, unknown> }[];
  const by = (n: string) => spans.find((s) => s.name === n)!;
  const io = (n: string) => ({ inputs: by(n).attributes["mlflow.spanInputs"], outputs: by(n).attributes["mlflow.spanOutputs"], attributes: by(n).attributes });
  assert.deepEqual(brief(extractChatMessages(io("agent_turn"))), ["user: What is MLflow Tracing?", "assistant: Answer 1 based on 2 documents. (6*7=42, hits=0)"]);
  assert.deepEqual(brief(extractChatMessages(io("generate_answer"))), [
    "system: Answer using the documents.",
    "user: What is MLflow Tracing?",
    "assistant: Answer 1 based on 2 documents.",
  ]);
  // {answer: {role, content}} → {text}
  assert.deepEqual(brief(extractChatMessages(io("format_output"))), ["assistant: Answer 1 based on 2 documents. (6*7=42, hits=0)"]);
  // a calculator tool span {a, b} → {product} is not a chat
  assert.equal(extractChatMessages(io("calculator")), null);
  // the previews of StartTraceV3 read the same as the root span
  const info = lines[0].body_json.trace.trace_info;
  assert.deepEqual(brief(extractChatMessages({ inputs: info.request_preview, outputs: info.response_preview })), [
    "user: What is MLflow Tracing?",
    "assistant: Answer 1 based on 2 documents. (6*7=42, hits=0)",
  ]);
});

test("Python client session fixture (p): previews of all three turns read as a conversation", () => {
  const lines = readLines("p-python-client-session.jsonl");
  const starts = lines.filter((l) => l.method === "POST" && l.path === "/api/3.0/mlflow/traces");
  assert.equal(starts.length, 3);
  const turns = starts.map((l) => {
    const info = l.body_json.trace.trace_info;
    return brief(extractChatMessages({ inputs: info.request_preview, outputs: info.response_preview }));
  });
  for (const t of turns) {
    assert.equal(t!.length, 2);
    assert.match(t![0], /^user: \S/);
    assert.match(t![1], /^assistant: Answer \d/);
  }
});

test("attributes-only call: falls back to mlflow.spanInputs / mlflow.spanOutputs", () => {
  const ms = extractChatMessages({ inputs: undefined, outputs: undefined, attributes: { "mlflow.spanInputs": '"hello"', "mlflow.spanOutputs": "world" } });
  assert.deepEqual(brief(ms), ["user: hello", "assistant: world"]);
});

test("OpenAI tool calls and tool results", () => {
  const ms = extractChatMessages({
    inputs: {
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: "18C sunny" },
      ],
    },
    outputs: { choices: [{ message: { role: "assistant", content: "It is 18C and sunny." } }] },
  });
  assert.equal(ms!.length, 4);
  assert.deepEqual(ms![1].toolCalls, [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }]);
  assert.equal(ms![1].content, "");
  assert.deepEqual(ms![2], { role: "tool", content: "18C sunny", toolCallId: "call_1" });
  assert.equal(ms![3].content, "It is 18C and sunny.");
});

test("OpenAI content parts: text joined, images as placeholders", () => {
  const ms = extractChatMessages({
    inputs: { messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAA" } }] }] },
    outputs: undefined,
  });
  assert.deepEqual(brief(ms), ["user: What is this?\n[image]"]);
});

test("OpenAI Responses API: input items with function calls and outputs", () => {
  const ms = extractChatMessages({
    inputs: {
      model: "gpt-4.1",
      instructions: "Be brief.",
      input: [
        { role: "user", content: [{ type: "input_text", text: "Add 2 and 3" }] },
        { type: "function_call", call_id: "fc_1", name: "add", arguments: '{"a":2,"b":3}' },
        { type: "function_call_output", call_id: "fc_1", output: "5" },
      ],
    },
    outputs: {
      object: "response",
      output: [
        { type: "reasoning", summary: [] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "2 + 3 = 5" }] },
      ],
    },
  });
  assert.deepEqual(brief(ms), ["system: Be brief.", "user: Add 2 and 3", "assistant: ", "tool: 5", "assistant: 2 + 3 = 5"]);
  assert.deepEqual(ms![2].toolCalls, [{ id: "fc_1", name: "add", arguments: '{"a":2,"b":3}' }]);
  assert.equal(ms![3].toolCallId, "fc_1");
});

test("OpenAI Responses API: string input, function_call output", () => {
  const ms = extractChatMessages({
    inputs: { model: "gpt-4.1", input: "What's the weather?" },
    outputs: { object: "response", output: [{ type: "function_call", call_id: "c1", name: "weather", arguments: "{}" }] },
  });
  assert.deepEqual(brief(ms), ["user: What's the weather?", "assistant: "]);
  assert.equal(ms![1].toolCalls![0].name, "weather");
});

test("Anthropic messages: system, tool_use and tool_result blocks", () => {
  const ms = extractChatMessages({
    inputs: {
      model: "claude",
      system: "You are terse.",
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: [{ type: "text", text: "Checking." }, { type: "tool_use", id: "tu_1", name: "weather", input: { city: "Oslo" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "tu_1", content: [{ type: "text", text: "-3C" }] }] },
      ],
    },
    outputs: { id: "msg_1", type: "message", role: "assistant", content: [{ type: "text", text: "It is -3C in Oslo." }], stop_reason: "end_turn" },
  });
  assert.deepEqual(brief(ms), ["system: You are terse.", "user: Weather?", "assistant: Checking.", "tool: -3C", "assistant: It is -3C in Oslo."]);
  assert.deepEqual(ms![2].toolCalls, [{ id: "tu_1", name: "weather", arguments: '{"city":"Oslo"}' }]);
  assert.equal(ms![3].toolCallId, "tu_1");
});

test("OTel GenAI semconv attributes with parts (JSON text), system instructions", () => {
  const ms = extractChatMessages({
    inputs: undefined,
    outputs: undefined,
    attributes: {
      "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "Be helpful." }]),
      "gen_ai.input.messages": JSON.stringify([
        { role: "user", parts: [{ type: "text", content: "Weather in Paris?" }] },
        { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "get_weather", arguments: { city: "Paris" } }] },
        { role: "tool", parts: [{ type: "tool_call_response", id: "c1", response: "rainy, 57F" }] },
      ]),
      "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "Rainy, 57F." }], finish_reason: "stop" }]),
    },
  });
  assert.deepEqual(brief(ms), ["system: Be helpful.", "user: Weather in Paris?", "assistant: ", "tool: rainy, 57F", "assistant: Rainy, 57F."]);
  assert.deepEqual(ms![2].toolCalls, [{ id: "c1", name: "get_weather", arguments: '{"city":"Paris"}' }]);
  assert.equal(ms![3].toolCallId, "c1");
});

test("semconv attributes win over span inputs that repeat them (no duplicates, mlflow#25718)", () => {
  const input = [{ role: "user", parts: [{ type: "text", content: "Hi" }] }];
  const output = [{ role: "assistant", parts: [{ type: "text", content: "Hello!" }] }];
  const ms = extractChatMessages({
    inputs: JSON.stringify(input),
    outputs: JSON.stringify(output),
    attributes: { "gen_ai.input.messages": input, "gen_ai.output.messages": output },
  });
  assert.deepEqual(brief(ms), ["user: Hi", "assistant: Hello!"]);
});

test("semconv messages carried in span events (mlflow#23063)", () => {
  const ms = extractChatMessages({
    inputs: undefined,
    outputs: undefined,
    attributes: { "gen_ai.operation.name": "chat" },
    events: [
      { name: "gen_ai.system.message", attributes: { content: "Be brief." } },
      { name: "gen_ai.user.message", attributes: { content: "What is 2+2?" } },
      { name: "gen_ai.choice", attributes: { index: 0, finish_reason: "stop", message: JSON.stringify({ role: "assistant", content: "4" }) } },
    ],
  });
  assert.deepEqual(brief(ms), ["system: Be brief.", "user: What is 2+2?", "assistant: 4"]);
});

test("events given as stored JSON text, with gen_ai.event.content bodies", () => {
  const ms = extractChatMessages({
    inputs: null,
    outputs: null,
    events: JSON.stringify([
      { name: "gen_ai.user.message", attributes: { "gen_ai.event.content": JSON.stringify({ content: "ping" }) } },
      { name: "gen_ai.choice", attributes: { "gen_ai.event.content": JSON.stringify({ message: { content: "pong" } }) } },
    ]),
  });
  assert.deepEqual(brief(ms), ["user: ping", "assistant: pong"]);
});

test("LangChain messages: dict form, serialized form, and a LangGraph output repeating the history", () => {
  const history = [
    { type: "system", content: "You are a bot." },
    { type: "human", content: "Hi" },
  ];
  const ms = extractChatMessages({
    inputs: { messages: history },
    outputs: {
      messages: [
        ...history,
        { type: "ai", content: "", tool_calls: [{ name: "lookup", args: { q: "x" }, id: "t1" }] },
        { type: "tool", content: "found", tool_call_id: "t1" },
        { type: "ai", content: "Hello!" },
      ],
    },
  });
  assert.deepEqual(brief(ms), ["system: You are a bot.", "user: Hi", "assistant: ", "tool: found", "assistant: Hello!"]);
  assert.deepEqual(ms![2].toolCalls, [{ id: "t1", name: "lookup", arguments: '{"q":"x"}' }]);

  const serialized = extractChatMessages({
    inputs: { messages: [[{ lc: 1, type: "constructor", id: ["langchain", "schema", "messages", "HumanMessage"], kwargs: { content: "Yo" } }]] },
    outputs: { generations: [[{ text: "Hey", message: { lc: 1, type: "constructor", id: ["langchain", "schema", "messages", "AIMessage"], kwargs: { content: "Hey" } } }]] },
  });
  assert.deepEqual(brief(serialized), ["user: Yo", "assistant: Hey"]);
});

test("legacy mlflow.chat.messages attribute", () => {
  const ms = extractChatMessages({
    inputs: { x: 1 },
    outputs: { y: 2 },
    attributes: { "mlflow.chat.messages": JSON.stringify([{ role: "user", content: "q" }, { role: "assistant", content: "a" }]) },
  });
  assert.deepEqual(brief(ms), ["user: q", "assistant: a"]);
});

test("OpenInference and Traceloop flattened attributes", () => {
  const oi = extractChatMessages({
    inputs: undefined,
    outputs: undefined,
    attributes: {
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "sys",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "question",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "search",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"q":"a"}',
    },
  });
  assert.deepEqual(brief(oi), ["system: sys", "user: question", "assistant: "]);
  assert.deepEqual(oi![2].toolCalls, [{ name: "search", arguments: '{"q":"a"}' }]);

  const tl = extractChatMessages({
    inputs: undefined,
    outputs: undefined,
    attributes: { "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "hello", "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "hi there" },
  });
  assert.deepEqual(brief(tl), ["user: hello", "assistant: hi there"]);
});

test("Gemini contents and candidates", () => {
  const ms = extractChatMessages({
    inputs: { contents: [{ role: "user", parts: [{ text: "Hola" }] }], systemInstruction: { parts: [{ text: "Reply in Spanish" }] } },
    outputs: { candidates: [{ content: { role: "model", parts: [{ text: "¡Hola!" }] } }] },
  });
  assert.deepEqual(brief(ms), ["system: Reply in Spanish", "user: Hola", "assistant: ¡Hola!"]);
});

test("plain strings and well-known keys", () => {
  assert.deepEqual(brief(extractChatMessages({ inputs: "Hi there", outputs: "Hello" })), ["user: Hi there", "assistant: Hello"]);
  assert.deepEqual(brief(extractChatMessages({ inputs: JSON.stringify("quoted"), outputs: undefined })), ["user: quoted"]);
  assert.deepEqual(brief(extractChatMessages({ inputs: { prompt: "p" }, outputs: { response: "r" } })), ["user: p", "assistant: r"]);
  assert.deepEqual(brief(extractChatMessages({ inputs: { query: "q", topK: 3 }, outputs: { output: "o" } })), ["user: q", "assistant: o"]);
  assert.deepEqual(brief(extractChatMessages({ inputs: { input: "i" }, outputs: { text: "t" } })), ["user: i", "assistant: t"]);
  // wrapped request (spec §3.5: checks applied to obj.request)
  assert.deepEqual(brief(extractChatMessages({ inputs: { request: { messages: [{ role: "user", content: "w" }] } }, outputs: undefined })), ["user: w"]);
});

test("nothing chat-like gives null", () => {
  assert.equal(extractChatMessages({ inputs: { a: 6, b: 7 }, outputs: { product: 42 } }), null);
  assert.equal(extractChatMessages({ inputs: undefined, outputs: undefined }), null);
  assert.equal(extractChatMessages({ inputs: null, outputs: "" }), null);
  assert.equal(extractChatMessages({ inputs: [1, 2, 3], outputs: [{ id: "doc", score: 1 }] }), null);
  assert.equal(extractChatMessages({ inputs: "{not json", outputs: 42 })?.length, 1); // a string is a user message
});

test("truncated preview JSON is still shown as text", () => {
  const ms = extractChatMessages({ inputs: '{"question": "What is a very long que...', outputs: undefined });
  assert.deepEqual(brief(ms), ['user: {"question": "What is a very long que...']);
});

test("mergeConversation: output that repeats the input, overlaps it, or is new", () => {
  const u1: ChatMessage = { role: "user", content: "a" };
  const a1: ChatMessage = { role: "assistant", content: "b" };
  const u2: ChatMessage = { role: "user", content: "c" };
  const a2: ChatMessage = { role: "assistant", content: "d" };
  assert.deepEqual(mergeConversation([u1, a1, u2], [u1, a1, u2, a2]), [u1, a1, u2, a2]);
  assert.deepEqual(mergeConversation([u2], [u1, a1, u2, a2]), [u1, a1, u2, a2]);
  assert.deepEqual(mergeConversation([u1, a1, u2], [u2, a2]), [u1, a1, u2, a2]);
  assert.deepEqual(mergeConversation([u1], [a1]), [u1, a1]);
  // the same text said twice in a real conversation is kept
  assert.deepEqual(mergeConversation([u1, a1, u1], [a1]), [u1, a1, u1, a1]);
});

test("message with legacy function_call and name", () => {
  const ms = extractChatMessages({
    inputs: { messages: [{ role: "function", name: "calc", content: "4" }] },
    outputs: { choices: [{ message: { role: "assistant", content: null, function_call: { name: "calc", arguments: '{"x":2}' } } }] },
  });
  assert.deepEqual(ms, [
    { role: "tool", content: "4", name: "calc" },
    { role: "assistant", content: "", toolCalls: [{ name: "calc", arguments: '{"x":2}' }] },
  ]);
});
