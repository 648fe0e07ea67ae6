// searchTraces / countTraces against a real database: every filter family, ordering with nulls last,
// keyset pages without gaps or duplicates, tokens bound to their query, non-Latin full text, and values
// that try SQL injection.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeDb, getPool } from "../db";
import { ApiError } from "../errors";
import { createExperiment, insertTrace, type SeedTrace } from "../testing/search";
import { quoteFilterValue } from "./parse";
import { countTraces, searchTraces, type TraceRow } from "./traces";

const uid = Math.random().toString(36).slice(2, 8);
const id = (n: string) => `tr-${uid}-${n}`;
let exp = "";
let other = "";

const seed: Record<string, SeedTrace> = {
  t1: {
    requestTime: 1000,
    executionDuration: 100,
    state: "OK",
    name: "chat",
    sessionId: "s1",
    userId: "u1",
    clientRequestId: "req-1",
    totalTokens: 50,
    cost: 0.1,
    requestPreview: '{"question": "hello world"}',
    responsePreview: '"مرحبا بالعالم"',
    tags: { env: "prod", "my-key": "a", "mlflow.traceName": "chat", grp: "b" },
    metadata: { "mlflow.trace.session": "s1", "mlflow.trace.user": "u1", "mlflow.sourceRun": "run1", "mlflow.modelId": "m-1" },
    spans: [{ name: "chat", spanType: "CHAIN", inputs: '{"q": "hello"}', outputs: '"hi"', attributes: { "gen_ai.system": "anthropic" } }],
    assessments: [{ name: "correct", kind: "feedback", value: "no", valid: false }],
  },
  t2: {
    requestTime: 2000,
    executionDuration: 2000,
    state: "ERROR",
    name: "retrieve",
    sessionId: "s1",
    userId: "u2",
    tags: { env: "dev", grp: "a" },
    metadata: { "mlflow.trace.session": "s1", "mlflow.trace.user": "u2" },
    errorCount: 1,
    spans: [
      { name: "retrieve", spanType: "RETRIEVER", statusCode: "ERROR", inputs: '{"query": "你好世界 documents"}' },
      { name: "ChatOpenAI", spanType: "CHAT_MODEL", attributes: { "gen_ai.system": "openai", "mlflow.llm.model": "gpt-4o" } },
    ],
    assessments: [
      { name: "correct", kind: "feedback", value: "yes" },
      { name: "ok", kind: "feedback", value: true },
    ],
  },
  t3: {
    requestTime: 3000,
    executionDuration: null,
    state: "IN_PROGRESS",
    name: null,
    spans: [{ name: "agent", spanType: "AGENT", inputs: '{"text": "\\u3053\\u3093\\u306b\\u3061\\u306f"}' }],
  },
  t4: {
    requestTime: 3000,
    executionDuration: 10,
    state: "OK",
    name: "Chat",
    sessionId: "s2",
    totalTokens: 500,
    tags: { env: "prod", "mlflow.linkedPrompts": '[{"name": "qa", "version": "4"}]', grp: "a" },
    runLinks: ["run2"],
    spans: [{ name: "chat", spanType: "LLM", inputs: '{"msg": "O\'Reilly; DROP TABLE traces"}' }],
    assessments: [
      { name: "score", kind: "feedback", value: 0.9 },
      { name: "expected", kind: "expectation", value: "Paris" },
      { name: "facts", kind: "expectation", serializedValue: { serialization_format: "JSON_FORMAT", value: '["a","b"]' } },
    ],
  },
  t5: {
    requestTime: 500,
    executionDuration: 700,
    state: "OK",
    name: "summarize",
    userId: "u1",
    requestPreview: "Résumé of 東京 trip",
    tags: { "a.b": "dotted", "it's": "quote" },
    metadata: { "mlflow.sourceRun": "run2" },
  },
};

async function ids(filter: string, orderBy?: string[]): Promise<string[]> {
  const { rows } = await searchTraces({ experimentIds: [exp], filter, orderBy, maxResults: 500 });
  return rows.map((r) => r.traceId.replace(`tr-${uid}-`, ""));
}

async function rejects(p: Promise<unknown>, re: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${e}`);
    assert.equal(e.code, "INVALID_PARAMETER_VALUE");
    assert.equal(e.status, 400);
    assert.match(e.message, re);
    return true;
  });
}

before(async () => {
  const pool = getPool();
  exp = await createExperiment(pool, `search-${uid}`);
  other = await createExperiment(pool, `search-other-${uid}`);
  for (const [k, t] of Object.entries(seed)) await insertTrace(pool, exp, { ...t, traceId: id(k) });
  // same names/tags in another experiment: must never leak into results
  await insertTrace(pool, other, { ...seed.t1, traceId: id("x1"), assessments: [], spans: [] });
});

after(async () => {
  await closeDb();
});

describe("filters", () => {
  const cases: [string, string[]][] = [
    ["", ["t3", "t4", "t2", "t1", "t5"]],
    ["trace.status = 'OK'", ["t4", "t1", "t5"]],
    ["status = \"ERROR\"", ["t2"]],
    ["attributes.status != 'OK'", ["t3", "t2"]],
    ["trace.status IN ('ERROR', 'IN_PROGRESS')", ["t3", "t2"]],
    ["trace.status NOT IN ('OK')", ["t3", "t2"]],
    ["trace.status = 'ok'", ["t4", "t1", "t5"]],
    ["trace.timestamp_ms >= 1000 AND trace.timestamp_ms < 3000", ["t2", "t1"]],
    ["timestamp > 2000", ["t3", "t4"]],
    ["trace.timestamp_ms = 500", ["t5"]],
    ["trace.execution_time_ms > 500", ["t2", "t5"]],
    ["execution_time <= 100", ["t4", "t1"]],
    ["trace.execution_time_ms IS NULL", ["t3"]],
    ["trace.end_time_ms > 3010", ["t2"]],
    ["trace.end_time_ms >= 3010", ["t4", "t2"]],
    ["trace.name = 'chat'", ["t1"]],
    ["trace.name ILIKE 'chat'", ["t4", "t1"]],
    ["trace.name LIKE 'C%'", ["t4"]],
    ["trace.name RLIKE '^(re|su)'", ["t2", "t5"]],
    ["trace.name IN ('chat', 'summarize')", ["t1", "t5"]],
    ["trace.name NOT IN ('chat')", ["t4", "t2", "t5"]],
    ["trace.name != 'chat'", ["t4", "t2", "t5"]],
    ["trace.name IS NULL", ["t3"]],
    [`trace.request_id = '${id("t2")}'`, ["t2"]],
    [`trace_id IN ('${id("t2")}', '${id("t5")}')`, ["t2", "t5"]],
    [`request_id LIKE 'tr-${uid}-t_'`, ["t3", "t4", "t2", "t1", "t5"]],
    ["trace.client_request_id = 'req-1'", ["t1"]],
    ["trace.run_id = 'run1'", ["t1"]],
    ["run.run_id = 'run2'", ["t4", "t5"]],
    ["trace.run_id IN ('run1', 'run2')", ["t4", "t1", "t5"]],
    ["trace.run_id != 'run2'", ["t3", "t2", "t1"]],
    ["tag.env = 'prod'", ["t4", "t1"]],
    ["tags.env != 'prod'", ["t2"]],
    ["tag.env LIKE 'pr%'", ["t4", "t1"]],
    ["tag.env ILIKE 'PROD'", ["t4", "t1"]],
    ["tag.env RLIKE '^d'", ["t2"]],
    ["tag.env IN ('dev', 'prod')", ["t4", "t2", "t1"]],
    ["tag.env NOT IN ('dev')", ["t4", "t1"]],
    ["tag.env IS NULL", ["t3", "t5"]],
    ["tag.env IS NOT NULL", ["t4", "t2", "t1"]],
    ['tags."my-key" = \'a\'', ["t1"]],
    ["tag.`a.b` = 'dotted'", ["t5"]],
    ["tag.`it's` = 'quote'", ["t5"]],
    ["tag.`mlflow.traceName` = 'chat'", ["t1"]],
    ["metadata.`mlflow.trace.session` = 's1'", ["t2", "t1"]],
    ["request_metadata.`mlflow.trace.user` = 'u1'", ["t1", "t5"]],
    ["metadata.`mlflow.trace.session` IS NULL", ["t3", "t5"]],
    ["metadata.`mlflow.modelId` = 'm-1'", ["t1"]],
    ["metadata.`mlflow.sourceRun` LIKE 'run%'", ["t1", "t5"]],
    ["session = 's2'", ["t4"]],
    ["user IN ('u1', 'u2')", ["t2", "t1", "t5"]],
    ["total_tokens >= 50", ["t4", "t1"]],
    ["cost > 0.05", ["t1"]],
    ["span_count = 2", ["t2"]],
    ["error_count > 0", ["t2"]],
    ["span.name = 'ChatOpenAI'", ["t2"]],
    ["span.name LIKE 'chat%'", ["t4", "t1"]],
    ["span.name ILIKE 'chat%'", ["t4", "t2", "t1"]],
    ["span.type = 'LLM'", ["t4"]],
    ["span.type IN ('LLM', 'CHAT_MODEL')", ["t4", "t2"]],
    ["span.status = 'ERROR'", ["t2"]],
    ["span.status = 'STATUS_CODE_ERROR'", ["t2"]],
    ["span.attributes.`gen_ai.system` = 'openai'", ["t2"]],
    ["span.attributes.`mlflow.llm.model` LIKE 'gpt-%'", ["t2"]],
    ["span.attributes.`gen_ai.system` ILIKE '%AN%'", ["t1"]],
    ["feedback.correct = 'yes'", ["t2"]],
    ["feedback.correct = 'no'", []], // overridden (valid = false)
    ["feedback.ok = 'true'", ["t2"]],
    ["feedback.ok = true", ["t2"]],
    ["feedback.score > 0.5", ["t4"]],
    ["feedback.score = 0.9", ["t4"]],
    ["feedback.score LIKE '0.%'", ["t4"]],
    ["feedback.correct IS NOT NULL", ["t2"]],
    ["expectation.expected = 'Paris'", ["t4"]],
    ["expectation.facts LIKE '%\"a\"%'", ["t4"]],
    ["expectation.expected ILIKE 'paris'", ["t4"]],
    ['prompt = "qa/4"', ["t4"]],
    ["prompt = 'qa/5'", []],
    ["trace.text LIKE '%hello%'", ["t1"]],
    ["trace.text ILIKE '%HELLO%'", ["t1"]],
    ["trace.text LIKE '%مرحبا%'", ["t1"]],
    ["trace.text LIKE '%你好世界%'", ["t2"]],
    ["trace.text LIKE '%こんにちは%'", ["t3"]],
    ["trace.text LIKE '%東京%'", ["t5"]],
    ["trace.text ILIKE '%résumé%'", ["t5"]],
    ["trace.text LIKE '%gpt-4o%'", ["t2"]],
    ["trace.text LIKE '%nothing-like-this%'", []],
    ["request_preview LIKE '%hello%'", ["t1"]],
    // beyond MLflow: OR, parentheses, NOT
    ["trace.status = 'ERROR' OR tag.env = 'prod'", ["t4", "t2", "t1"]],
    ["(trace.status = 'ERROR' OR tag.env = 'prod') AND trace.timestamp_ms > 1000", ["t4", "t2"]],
    ["trace.status = 'ERROR' OR tag.env = 'prod' AND trace.timestamp_ms > 1000", ["t4", "t2"]],
    ["NOT trace.name = 'chat'", ["t3", "t4", "t2", "t5"]],
    ["not (tag.env = 'prod' or tag.env = 'dev')", ["t3", "t5"]],
    ["TRACE.STATUS = 'OK' and TAG.env = 'prod'", ["t4", "t1"]],
  ];
  for (const [filter, expected] of cases) {
    test(filter || "(empty)", async () => {
      assert.deepEqual(await ids(filter), expected);
      assert.equal(await countTraces({ experimentIds: [exp], filter }), expected.length);
    });
  }

  test("the experiment bound always applies", async () => {
    assert.deepEqual((await searchTraces({ experimentIds: [other], filter: "tag.env = 'prod'" })).rows.map((r) => r.traceId), [id("x1")]);
    const both = await searchTraces({ experimentIds: [exp, other], filter: "trace.name = 'chat'" });
    assert.deepEqual(both.rows.map((r) => r.traceId).sort(), [id("t1"), id("x1")].sort());
  });

  test("rows carry every column with int8 as bigint", async () => {
    const { rows } = await searchTraces({ experimentIds: [exp], filter: "trace.client_request_id = 'req-1'" });
    const r: TraceRow = rows[0];
    assert.equal(r.traceId, id("t1"));
    assert.equal(r.experimentId, BigInt(exp));
    assert.equal(r.requestTime, 1000n);
    assert.equal(r.executionDuration, 100n);
    assert.equal(r.totalTokens, 50n);
    assert.equal(r.cost, 0.1);
    assert.equal(r.spanCount, 1);
    assert.equal(r.sessionId, "s1");
    assert.equal(r.tags.env, "prod");
    assert.equal(r.metadata["mlflow.trace.user"], "u1");
    assert.equal(r.infoFinalized, false);
    assert.equal(typeof r.updatedAt, "bigint");
    assert.ok(!("_k0" in r));
  });
});

describe("values are data, never SQL", () => {
  const attempts = [
    "trace.name = '''; DROP TABLE traces; --'",
    "tag.env = 'x'' OR ''1''=''1'",
    "tag.`env') OR 1=1 --` = 'prod'",
    "metadata.`x\"}' OR true --` LIKE '%'",
    "span.attributes.`a') OR 1=1; --` = 'b'",
    "feedback.`x' OR 'a'='a` = 'yes'",
    "trace.text LIKE '%''; DELETE FROM spans; --%'",
    "trace.name IN ('a'')) OR TRUE --', 'b')",
  ];
  for (const filter of attempts) {
    test(filter, async () => {
      assert.deepEqual(await ids(filter), []);
    });
  }
  test("a quote in a value matches literally", async () => {
    assert.deepEqual(await ids("trace.text LIKE '%O''Reilly; DROP TABLE traces%'"), ["t4"]);
    assert.deepEqual(await ids('trace.text LIKE "%O\'Reilly%"'), ["t4"]);
    const { rows } = await getPool().query("SELECT count(*)::int AS n FROM traces WHERE experiment_id = $1", [exp]);
    assert.equal(rows[0].n, 5);
  });
});

describe("errors", () => {
  const cases: [string, RegExp][] = [
    ["trace.status = 'OK' AND", /Expected a field name, found end of filter at column 24/],
    ["trace.nope = 'x'", /Invalid attribute key 'nope' at column 1/],
    ["trace.status LIKE 'O%'", /Invalid comparator 'LIKE' for trace.status .* at column 14/],
    ["foo.bar = 'x'", /Invalid search expression type 'foo' .*at column 1/],
    ["trace.timestamp_ms > 'abc'", /Expected a number for trace.timestamp_ms, found 'abc' at column 22/],
    ["tag.env < 'x'", /Invalid comparator '<' for tag.env .*at column 9/],
    ["span.foo = 'x'", /Invalid span field 'foo' .*at column 1/],
    ["prompt = 'qa'", /Expected a prompt written "name\/version", found 'qa' at column 10/],
    ["prompt LIKE 'qa/%'", /Invalid comparator 'LIKE' for prompt .*at column 8/],
    ["trace.text = 'x'", /Invalid comparator '=' for trace.text .*at column 12/],
    ["trace.name RLIKE '('", /Invalid filter value/],
  ];
  for (const [filter, re] of cases) test(filter, () => rejects(searchTraces({ experimentIds: [exp], filter }), re));

  test("max_results bounds", async () => {
    await rejects(searchTraces({ experimentIds: [exp], maxResults: 0 }), /max_results/);
    await rejects(searchTraces({ experimentIds: [exp], maxResults: 501 }), /between 1 and 500/);
    assert.equal((await searchTraces({ experimentIds: [exp], maxResults: 500 })).rows.length, 5);
  });

  test("experiment ids are required and numeric", async () => {
    await rejects(searchTraces({ experimentIds: [] }), /experiment/);
    await rejects(searchTraces({ experimentIds: ["1 OR 1=1"] }), /Invalid experiment ID/);
  });
});

describe("order_by", () => {
  test("default: newest first, trace id ascending on ties", async () => {
    assert.deepEqual(await ids(""), ["t3", "t4", "t2", "t1", "t5"]);
  });
  test("timestamp ASC", async () => {
    assert.deepEqual(await ids("", ["timestamp_ms ASC"]), ["t5", "t1", "t2", "t3", "t4"]);
  });
  test("execution time ascending puts missing values last", async () => {
    assert.deepEqual(await ids("", ["execution_time_ms"]), ["t4", "t1", "t5", "t2", "t3"]);
  });
  test("execution time descending also puts missing values last", async () => {
    assert.deepEqual(await ids("", ["execution_time DESC"]), ["t2", "t5", "t1", "t4", "t3"]);
  });
  test("name desc, nulls last", async () => {
    assert.deepEqual(await ids("", ["name DESC"]), ["t5", "t2", "t1", "t4", "t3"]);
  });
  test("status then the timestamp tie-breaker", async () => {
    assert.deepEqual(await ids("", ["status"]), ["t2", "t3", "t4", "t1", "t5"]);
  });
  test("tag and metadata keys", async () => {
    assert.deepEqual(await ids("", ["tag.grp ASC", "timestamp_ms ASC"]), ["t2", "t4", "t1", "t5", "t3"]);
    assert.deepEqual(await ids("", ["metadata.`mlflow.trace.session` DESC"]), ["t4", "t2", "t1", "t3", "t5"]);
    assert.deepEqual(await ids("", ["run_id"]), ["t1", "t5", "t3", "t4", "t2"]);
  });
  test("request_id and extensions", async () => {
    assert.deepEqual(await ids("", ["request_id DESC"]), ["t5", "t4", "t3", "t2", "t1"]);
    assert.deepEqual(await ids("", ["total_tokens DESC"]), ["t4", "t1", "t3", "t2", "t5"]);
    assert.deepEqual(await ids("", ["user", "session DESC"]), ["t1", "t5", "t2", "t4", "t3"]);
  });
  test("errors", async () => {
    await rejects(searchTraces({ experimentIds: [exp], orderBy: ["timestamp_ms", "timestamp DESC"] }), /twice in order_by item 2 at column 1/);
    await rejects(searchTraces({ experimentIds: [exp], orderBy: ["nope"] }), /Invalid order_by key 'nope' in order_by item 1 at column 1/);
    await rejects(searchTraces({ experimentIds: [exp], orderBy: ["name sideways"] }), /expected ASC or DESC .*at column 6/);
    await rejects(searchTraces({ experimentIds: [exp], orderBy: ["span.name"] }), /Cannot sort by 'span.name'/);
  });
});

describe("pagination", () => {
  let big = "";
  const N = 237;
  before(async () => {
    const pool = getPool();
    big = await createExperiment(pool, `search-pages-${uid}`);
    // many equal timestamps and missing values so that ties and nulls cross page boundaries
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let i = 0; i < N; i++) {
      const b = values.length;
      tuples.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, 0)`);
      values.push(`tr-${uid}-p${String(i).padStart(4, "0")}`, big, 1000 + (i % 13), i % 5 === 0 ? null : i % 7, JSON.stringify(i % 3 === 0 ? {} : { grp: `g${i % 4}` }), i % 2 ? "OK" : "ERROR");
    }
    await pool.query(`INSERT INTO traces (trace_id, experiment_id, request_time, execution_duration, tags, state, updated_at) VALUES ${tuples.join(", ")}`, values);
  });

  const orders: (string[] | undefined)[] = [undefined, ["timestamp_ms ASC"], ["execution_time_ms DESC"], ["execution_time_ms"], ["tag.grp DESC", "execution_time ASC"], ["status", "request_id DESC"]];
  for (const orderBy of orders) {
    test(`pages of 17 cover everything once: ${JSON.stringify(orderBy ?? "default")}`, async () => {
      const all = (await searchTraces({ experimentIds: [big], orderBy, maxResults: 500 })).rows.map((r) => r.traceId);
      assert.equal(all.length, N);
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await searchTraces({ experimentIds: [big], orderBy, maxResults: 17, pageToken: token });
        seen.push(...page.rows.map((r) => r.traceId));
        token = page.nextPageToken;
        pages++;
        if (token) assert.equal(page.rows.length, 17);
      } while (token && pages < 100);
      assert.equal(pages, Math.ceil(N / 17));
      assert.deepEqual(seen, all);
    });
  }

  test("pages over two experiments merge both without gaps", async () => {
    for (const orderBy of [undefined, ["execution_time_ms DESC"], ["timestamp_ms ASC"]]) {
      const all = (await searchTraces({ experimentIds: [big, exp], orderBy, maxResults: 500 })).rows.map((r) => r.traceId);
      assert.equal(all.length, N + 5);
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await searchTraces({ experimentIds: [exp, big], orderBy, maxResults: 40, pageToken: token });
        seen.push(...page.rows.map((r) => r.traceId));
        token = page.nextPageToken;
      } while (token);
      assert.deepEqual(seen, all);
    }
    assert.equal(await countTraces({ experimentIds: [exp, big] }), N + 5);
  });

  test("with a filter, the last page has no token", async () => {
    const filter = "trace.status = 'OK' AND tag.grp IS NOT NULL";
    const total = await countTraces({ experimentIds: [big], filter });
    let token: string | undefined;
    let count = 0;
    for (;;) {
      const page = await searchTraces({ experimentIds: [big], filter, maxResults: 50, pageToken: token });
      count += page.rows.length;
      if (!page.nextPageToken) break;
      token = page.nextPageToken;
    }
    assert.equal(count, total);
    assert.ok(total > 50);
  });

  test("an exactly full last page gets no token", async () => {
    const page = await searchTraces({ experimentIds: [big], maxResults: N });
    assert.equal(page.rows.length, N);
    assert.equal(page.nextPageToken, undefined);
  });

  test("a token only works with its own query", async () => {
    const first = await searchTraces({ experimentIds: [big], maxResults: 10 });
    assert.ok(first.nextPageToken);
    await rejects(searchTraces({ experimentIds: [big], maxResults: 10, filter: "trace.status = 'OK'", pageToken: first.nextPageToken }), /different filter/);
    await rejects(searchTraces({ experimentIds: [big], maxResults: 10, orderBy: ["timestamp_ms ASC"], pageToken: first.nextPageToken }), /different filter/);
    await rejects(searchTraces({ experimentIds: [exp], maxResults: 10, pageToken: first.nextPageToken }), /different filter/);
    await rejects(searchTraces({ experimentIds: [big], pageToken: "not a token" }), /Invalid page_token/);
    await rejects(searchTraces({ experimentIds: [big], pageToken: Buffer.from('{"offset": 100}').toString("base64") }), /Invalid page_token/);
    // a different page size is the same query
    const second = await searchTraces({ experimentIds: [big], maxResults: 5, pageToken: first.nextPageToken });
    assert.equal(second.rows.length, 5);
  });
});

// The traces table's quick filters write their values with quoteFilterValue (components/traces/filterText.ts).
describe("quick-filter values with backslashes", () => {
  let own = "";
  before(async () => {
    own = await createExperiment(getPool(), `search-backslash-${uid}`);
    await insertTrace(getPool(), own, { traceId: id("bs"), requestTime: 1000, executionDuration: 1, state: "OK", name: "a\\b", sessionId: "C:\\s\\1", tags: { path: "x\\'y" } });
    await insertTrace(getPool(), own, { traceId: id("bs2"), requestTime: 2000, executionDuration: 1, state: "OK", name: "a\\\\b" });
  });

  for (const [field, value] of [
    ["trace.name", "a\\b"],
    ["metadata.`mlflow.trace.session`", "C:\\s\\1"],
    ["tag.path", "x\\'y"],
  ]) {
    test(`${field} = ${value} finds the trace`, async () => {
      const { rows } = await searchTraces({ experimentIds: [own], filter: `${field} = ${quoteFilterValue(value)}` });
      assert.deepEqual(rows.map((r) => r.traceId), [id("bs")]);
    });
  }
});
