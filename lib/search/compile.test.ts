import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiError } from "../errors";
import { compileExperimentFilter, compileExperimentOrderBy, compileTraceFilter, compileTraceOrderBy, jsonEscapedPattern, validateTraceSearch } from "./compile";
import { findTraceField, TRACE_FIELDS } from "./fields";
import { parseFilter } from "./parse";
import { decodePageToken, encodePageToken, keysetCondition, orderByClause, SqlParams } from "./sql";

function trace(filter: string) {
  const params = new SqlParams();
  const sql = compileTraceFilter(parseFilter(filter), params);
  return { sql, values: params.values };
}

describe("trace filters compile to indexed, parameterized SQL", () => {
  const cases: [string, string, unknown[]][] = [
    ["trace.status = 'OK'", "t.state = $1::text", ["OK"]],
    ["trace.status = 'error'", "t.state = $1::text", ["ERROR"]],
    ["trace.status = 'TRACE_STATUS_UNSPECIFIED'", "t.state = $1::text", ["STATE_UNSPECIFIED"]],
    ["trace.status IN ('OK', 'ERROR')", "t.state = ANY($1::text[])", [["OK", "ERROR"]]],
    ["trace.status NOT IN ('OK')", "t.state <> ALL($1::text[])", [["OK"]]],
    ["trace.timestamp_ms >= 1718400000000", "t.request_time >= $1::bigint", ["1718400000000"]],
    ["trace.execution_time_ms > 1.5", "t.execution_duration > $1::numeric", ["1.5"]],
    ["trace.timestamp_ms > '1000'", "t.request_time > $1::bigint", ["1000"]],
    ["cost < 0.25", "t.cost < $1::float8", ["0.25"]],
    ["span_count IN (1, 2)", "t.span_count = ANY($1::bigint[])", [["1", "2"]]],
    ["trace.name LIKE 'a%'", "t.name LIKE $1::text", ["a%"]],
    ["trace.name ILIKE 'a%'", "t.name ILIKE $1::text", ["a%"]],
    ["trace.name RLIKE '^a'", "t.name ~ $1::text", ["^a"]],
    ["trace.name IS NULL", "t.name IS NULL", []],
    ["trace.client_request_id != 'x'", "t.client_request_id <> $1::text", ["x"]],
    ["metadata.`mlflow.trace.session` = 's1'", "t.session_id = $1::text", ["s1"]],
    ["metadata.`mlflow.trace.user` IN ('a', 'b')", "t.user_id = ANY($1::text[])", [["a", "b"]]],
    ["session = 's1'", "t.session_id = $1::text", ["s1"]],
    ["tag.env = 'prod'", "t.tags @> $1::jsonb", ['{"env":"prod"}']],
    ["metadata.`mlflow.modelId` = 'm'", "t.trace_metadata @> $1::jsonb", ['{"mlflow.modelId":"m"}']],
    ["tag.env IN ('a', 'b')", "(t.tags @> $1::jsonb OR t.tags @> $2::jsonb)", ['{"env":"a"}', '{"env":"b"}']],
    ["tag.env != 'prod'", "(t.tags ->> $1::text) <> $2::text", ["env", "prod"]],
    ["tag.env LIKE 'p%'", "(t.tags ->> $1::text) LIKE $2::text", ["env", "p%"]],
    ["tag.env IS NULL", "NOT (t.tags ? $1::text)", ["env"]],
    ["tag.env IS NOT NULL", "t.tags ? $1::text", ["env"]],
    ["span.type = 'LLM'", "EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.span_type = $1::text)", ["LLM"]],
    ["span.status = 'status_code_error'", "EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.status_code = $1::text)", ["ERROR"]],
    ["span.attributes.`a.b` LIKE '%x%'", "EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND (s.attributes ->> $1::text) LIKE $2::text)", ["a.b", "%x%"]],
    ["NOT trace.name = 'x'", "(t.name = $1::text) IS NOT TRUE", ["x"]],
    ["trace.name = 'a' OR trace.name = 'b'", "(t.name = $1::text) OR (t.name = $2::text)", ["a", "b"]],
    ["trace.name = 'a' AND trace.status = 'OK'", "(t.name = $1::text) AND (t.state = $2::text)", ["a", "OK"]],
    ["", "TRUE", []],
  ];
  for (const [filter, sql, values] of cases) {
    test(filter || "(empty)", () => assert.deepEqual(trace(filter), { sql, values }));
  }

  test("run_id matches metadata or a run link", () => {
    const { sql, values } = trace("trace.run_id = 'r1'");
    assert.equal(sql, "(t.trace_metadata @> $1::jsonb OR EXISTS (SELECT 1 FROM trace_run_links l WHERE l.trace_id = t.trace_id AND l.run_id = ANY($2::text[])))");
    assert.deepEqual(values, ['{"mlflow.sourceRun":"r1"}', ["r1"]]);
  });

  test("feedback compares JSON strings by content, numbers numerically", () => {
    const s = trace("feedback.correct = 'yes'");
    assert.match(s.sql, /a\.kind = 'feedback' AND a\.name = \$1::text AND a\.valid AND COALESCE\(a\.value #>> '\{\}', a\.serialized_value ->> 'value'\) = \$2::text/);
    assert.deepEqual(s.values, ["correct", "yes"]);
    const n = trace("feedback.score >= 0.5");
    assert.match(n.sql, /THEN \(a\.value\)::numeric END\) >= \$2::numeric/);
    assert.match(trace("expectation.x = 'y'").sql, /a\.kind = 'expectation'/);
  });

  test("text search covers previews and spans, plus the \\u-escaped spelling for non-ASCII", () => {
    const ascii = trace("trace.text LIKE '%hello%'");
    assert.deepEqual(ascii.values, ["%hello%"]);
    assert.match(ascii.sql, /t\.request_preview LIKE \$1::text OR t\.response_preview LIKE \$1::text OR EXISTS \(SELECT 1 FROM spans s/);
    const cjk = trace("trace.text ILIKE '%你好%'");
    assert.deepEqual(cjk.values, ["%你好%", "%\\\\u4f60\\\\u597d%"]);
    // no cased letters: ILIKE means LIKE, which is several times cheaper
    assert.match(cjk.sql, /s\.inputs LIKE \$2::text/);
    assert.doesNotMatch(cjk.sql, /ILIKE/);
    assert.match(trace("trace.text ILIKE '%Résumé%'").sql, /s\.inputs ILIKE \$2::text/);
    // an ASCII pattern folds ASCII only, which the C collation does without lower()ing through libc
    assert.match(trace("trace.text ILIKE '%Refund%'").sql, /s\.inputs COLLATE "C" ILIKE \$1::text OR s\.outputs COLLATE "C" ILIKE \$1::text OR s\.attributes::text COLLATE "C" ILIKE/);
    const bounded = new SqlParams();
    assert.match(compileTraceFilter(parseFilter("trace.text LIKE '%x%'"), bounded, { spanExperimentCondition: () => "s.experiment_id = $9::bigint" }), /WHERE s\.trace_id = t\.trace_id AND s\.experiment_id = \$9::bigint AND \(s\.name LIKE/);
    assert.equal(jsonEscapedPattern("abc"), null);
    assert.equal(jsonEscapedPattern("𝄞"), "\\\\ud834\\\\udd1e");
  });

  test("prompt = name/version", () => {
    const { sql, values } = trace('prompt = "qa/4"');
    assert.match(sql, /mlflow\.linkedPrompts/);
    assert.deepEqual(values, ['[{"name":"qa","version":"4"}]', '[{"name":"qa","version":4}]']);
  });

  test("values never reach the SQL text", () => {
    const evil = "x'); DROP TABLE traces; --";
    for (const f of [`trace.name = "${evil}"`, `tag.\`${evil}\` = 'a'`, `span.attributes.\`${evil}\` LIKE '%'`, `feedback.\`${evil}\` = 'a'`, `trace.text LIKE "${evil}"`, `metadata.\`${evil}\` IS NULL`]) {
      const { sql, values } = trace(f);
      assert.ok(!sql.includes("DROP"), sql);
      assert.ok(JSON.stringify(values).includes("DROP"));
    }
  });
});

describe("semantic errors name the column", () => {
  const cases: [string, RegExp][] = [
    ["trace.nope = 'x'", /^Invalid attribute key 'nope' at column 1$/],
    ["trace.status = 'OK' AND bogus > 1", /^Invalid attribute key 'bogus' at column 25$/],
    ["trace.status LIKE 'O%'", /^Invalid comparator 'LIKE' for trace.status \(allowed: =, !=, IN, NOT IN\) at column 14$/],
    ["trace.timestamp_ms LIKE '1%'", /^Invalid comparator 'LIKE' .* at column 20$/],
    ["trace.timestamp_ms > 'soon'", /^Expected a number for trace.timestamp_ms, found 'soon' at column 22$/],
    ["trace.timestamp_ms IN (1, 'x')", /^Expected a number for trace.timestamp_ms, found 'x' at column 23$/],
    ["tag.env > 'x'", /^Invalid comparator '>' for tag.env .* at column 9$/],
    ["span.nope = 'x'", /^Invalid span field 'nope' .* at column 1$/],
    ["span.attributes = 'x'", /^Expected span.attributes.<key>, found 'span.attributes' at column 1$/],
    ["span.status LIKE 'x'", /^Invalid comparator 'LIKE' for span.status .* at column 13$/],
    ["prompt != 'a/1'", /^Invalid comparator '!=' for prompt \(allowed: =\) at column 8$/],
    ["prompt = 'a'", /^Expected a prompt written "name\/version", found 'a' at column 10$/],
    ["trace.text = 'x'", /^Invalid comparator '=' for trace.text \(allowed: LIKE, ILIKE\) at column 12$/],
    ["trace.run_id LIKE 'x'", /^Invalid comparator 'LIKE' for trace.run_id .* at column 14$/],
  ];
  for (const [f, re] of cases) {
    test(f, () =>
      assert.throws(
        () => trace(f),
        (e: unknown) => e instanceof ApiError && e.code === "INVALID_PARAMETER_VALUE" && re.test(e.message),
      ),
    );
  }
});

describe("order_by", () => {
  test("default order with the tie-breakers", () => {
    const keys = compileTraceOrderBy(undefined, new SqlParams());
    assert.equal(orderByClause(keys), "t.request_time DESC, t.trace_id ASC");
  });
  test("given keys, nulls last, tie-breakers appended", () => {
    const params = new SqlParams();
    const keys = compileTraceOrderBy(["execution_time_ms DESC", "tag.env"], params);
    assert.equal(orderByClause(keys), "t.execution_duration DESC NULLS LAST, (t.tags ->> $1::text) ASC NULLS LAST, t.request_time DESC, t.trace_id ASC");
    assert.deepEqual(params.values, ["env"]);
  });
  test("timestamp given: only request_id is appended", () => {
    assert.equal(orderByClause(compileTraceOrderBy(["timestamp ASC"], new SqlParams())), "t.request_time ASC, t.trace_id ASC");
  });
  test("session metadata sorts on its column", () => {
    assert.equal(orderByClause(compileTraceOrderBy(["metadata.`mlflow.trace.session`"], new SqlParams())), "t.session_id ASC NULLS LAST, t.request_time DESC, t.trace_id ASC");
  });
  test("errors", () => {
    assert.throws(() => compileTraceOrderBy(["timestamp_ms", "timestamp_ms DESC"], new SqlParams()), /names 'timestamp_ms' twice in order_by item 2 at column 1/);
    assert.throws(() => compileTraceOrderBy(["tag.a", "tags.a"], new SqlParams()), /twice/);
    assert.throws(() => compileTraceOrderBy(["text"], new SqlParams()), /Cannot sort by 'text'/);
    assert.throws(() => compileTraceOrderBy(["feedback.x"], new SqlParams()), /Cannot sort by 'feedback.x'/);
  });
});

describe("keyset conditions", () => {
  test("default order: a range on the leading key plus the exact successor condition", () => {
    const params = new SqlParams();
    const keys = compileTraceOrderBy(undefined, params);
    const sql = keysetCondition(keys, ["1000", "tr-a"], params);
    assert.equal(sql, "t.request_time <= $1::bigint AND ((t.request_time < $1::bigint) OR (t.request_time = $1::bigint AND t.trace_id > $2::text))");
    assert.deepEqual(params.values, ["1000", "tr-a"]);
  });
  test("nullable key: nulls follow values; after a null only ties continue", () => {
    const params = new SqlParams();
    const keys = compileTraceOrderBy(["execution_time_ms"], params);
    assert.equal(
      keysetCondition(keys, ["5", "1000", "tr-a"], params),
      "(((t.execution_duration > $1::bigint OR t.execution_duration IS NULL)) OR (t.execution_duration = $1::bigint AND t.request_time < $2::bigint) OR (t.execution_duration = $1::bigint AND t.request_time = $2::bigint AND t.trace_id > $3::text))",
    );
    const p2 = new SqlParams();
    const k2 = compileTraceOrderBy(["execution_time_ms"], p2);
    assert.equal(keysetCondition(k2, [null, "1000", "tr-a"], p2), "((t.execution_duration IS NULL AND t.request_time < $1::bigint) OR (t.execution_duration IS NULL AND t.request_time = $1::bigint AND t.trace_id > $2::text))");
  });
  test("page tokens round-trip and are bound to their query", () => {
    const token = encodePageToken(["1000", null, 2.5], "h1");
    assert.deepEqual(decodePageToken(token, "h1", 3), ["1000", null, 2.5]);
    assert.throws(() => decodePageToken(token, "h2", 3), /different filter/);
    assert.throws(() => decodePageToken(token, "h1", 2), /Invalid page_token/);
    assert.throws(() => decodePageToken("%%%", "h1", 3), /Invalid page_token/);
  });
});

describe("experiments", () => {
  const exp = (f: string) => {
    const params = new SqlParams();
    return { sql: compileExperimentFilter(parseFilter(f), params), values: params.values };
  };
  test("attributes and tags", () => {
    assert.deepEqual(exp("name LIKE 'agent-%'"), { sql: "e.name LIKE $1::text", values: ["agent-%"] });
    assert.deepEqual(exp("creation_time > 5"), { sql: "e.creation_time > $1::bigint", values: ["5"] });
    assert.deepEqual(exp("tags.team = 'nlp'"), {
      sql: "EXISTS (SELECT 1 FROM experiment_tags et WHERE et.experiment_id = e.experiment_id AND et.key = $1::text AND et.value = $2::text)",
      values: ["team", "nlp"],
    });
  });
  test("errors", () => {
    assert.throws(() => exp("status = 'x'"), /Invalid attribute key 'status' .*at column 1/);
    assert.throws(() => exp("creation_time LIKE '1%'"), /Invalid comparator 'LIKE' .*at column 15/);
    assert.throws(() => exp("span.name = 'x'"), /Invalid search expression type 'span' for experiments .*at column 1/);
  });
  test("order_by", () => {
    assert.equal(orderByClause(compileExperimentOrderBy(undefined)), "e.creation_time DESC, e.experiment_id ASC");
    assert.equal(orderByClause(compileExperimentOrderBy(["name"])), "e.name ASC, e.experiment_id ASC");
    assert.equal(orderByClause(compileExperimentOrderBy(["experiment_id DESC"])), "e.experiment_id DESC");
    assert.throws(() => compileExperimentOrderBy(["tags.x"]), /Invalid order_by key 'tags.x'/);
    assert.throws(() => compileExperimentOrderBy(["name", "name DESC"]), /twice/);
  });
});

describe("validateTraceSearch", () => {
  test("accepts valid searches and throws the search's own errors", () => {
    validateTraceSearch("trace.status = 'OK' AND tag.x LIKE '%a%'", ["timestamp_ms DESC"]);
    assert.throws(() => validateTraceSearch("trace.nope = 1"), /Invalid attribute key 'nope' at column 1/);
    assert.throws(() => validateTraceSearch("", ["nope"]), /Invalid order_by key/);
  });
});

describe("registry", () => {
  test("every key and alias resolves to one field; sortable fields have SQL", () => {
    const seen = new Set<string>();
    for (const f of TRACE_FIELDS) {
      for (const n of [f.key, ...f.aliases]) {
        assert.ok(!seen.has(n), `duplicate name ${n}`);
        seen.add(n);
        assert.equal(findTraceField(n.toUpperCase()), f);
      }
      if (f.sortable) assert.ok(f.sql, f.key);
      assert.ok(f.comparators.length > 0);
    }
  });
});
