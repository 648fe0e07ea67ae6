import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiError } from "../errors";
import { columnOf, parseFilter, parseOrderBy, type FilterAst } from "./parse";

type Cmp = Extract<FilterAst, { kind: "compare" }>;
const only = (f: string): Cmp => {
  const ast = parseFilter(f);
  assert.equal(ast.kind, "compare", `expected one comparison for ${f}`);
  return ast as Cmp;
};

describe("prefixes and keys", () => {
  const cases: [string, string, string][] = [
    ["status = 'OK'", "attribute", "status"],
    ["trace.status = 'OK'", "attribute", "status"],
    ["attribute.status = 'OK'", "attribute", "status"],
    ["attributes.status = 'OK'", "attribute", "status"],
    ["attr.status = 'OK'", "attribute", "status"],
    ["run.run_id = 'r'", "attribute", "run_id"],
    ["TRACE.status = 'OK'", "attribute", "status"],
    ["tag.env = 'x'", "tag", "env"],
    ["tags.env = 'x'", "tag", "env"],
    ['tags."my-key" = \'x\'', "tag", "my-key"],
    ["tags.`my key` = 'x'", "tag", "my key"],
    ["metadata.`mlflow.trace.session` = 's'", "metadata", "mlflow.trace.session"],
    ["request_metadata.`mlflow.modelId` = 'm'", "metadata", "mlflow.modelId"],
    ["metadata.mlflow.sourceRun = 'r'", "metadata", "mlflow.sourceRun"],
    ["span.name = 'x'", "span", "name"],
    ["span.attributes.`gen_ai.system` = 'x'", "span", "attributes.gen_ai.system"],
    ["feedback.correctness = 'yes'", "feedback", "correctness"],
    ["expectation.`expected facts` LIKE '%a%'", "expectation", "expected facts"],
    ["prompt = 'qa/1'", "prompt", ""],
    ["tag.`it``s` = 'x'", "tag", "it`s"],
    ["tag.k2 = 'x'", "tag", "k2"],
    ["tag.2024 = 'x'", "tag", "2024"],
    ["tag.ключ = 'x'", "tag", "ключ"],
  ];
  for (const [f, prefix, key] of cases) {
    test(f, () => {
      const c = only(f);
      assert.equal(c.field.prefix, prefix);
      assert.equal(c.field.key, key);
      assert.equal(c.field.column, 1);
    });
  }
});

describe("comparators", () => {
  const cases: [string, string][] = [
    ["a = 'x'", "="],
    ["a == 'x'", "="],
    ["a != 'x'", "!="],
    ["a <> 'x'", "!="],
    ["a < 1", "<"],
    ["a <= 1", "<="],
    ["a > 1", ">"],
    ["a >= 1", ">="],
    ["a LIKE 'x%'", "LIKE"],
    ["a like 'x%'", "LIKE"],
    ["a ILIKE 'x%'", "ILIKE"],
    ["a RLIKE '^x'", "RLIKE"],
    ["a rlike '^x'", "RLIKE"],
    ["a IN ('x')", "IN"],
    ["a in ('x', 'y')", "IN"],
    ["a NOT IN ('x')", "NOT IN"],
    ["a not in ('x')", "NOT IN"],
    ["a IS NULL", "IS NULL"],
    ["a is null", "IS NULL"],
    ["a IS NOT NULL", "IS NOT NULL"],
  ];
  for (const [f, op] of cases) test(f, () => assert.equal(only(f).op, op));
});

describe("values", () => {
  test("single-quoted string with doubled and escaped quotes", () => {
    assert.deepEqual(only("a = 'it''s'").value, { kind: "string", value: "it's" });
    assert.deepEqual(only("a = 'it\\'s'").value, { kind: "string", value: "it's" });
  });
  test("double-quoted string", () => assert.deepEqual(only('a = "OK"').value, { kind: "string", value: "OK" }));
  test("backslashes other than before the quote stay (LIKE escapes)", () => assert.deepEqual(only("a LIKE '%\\_%'").value, { kind: "string", value: "%\\_%" }));
  test("non-Latin text", () => assert.deepEqual(only("trace.text LIKE '%你好%'").value, { kind: "string", value: "%你好%" }));
  test("integers, decimals, negatives, exponents", () => {
    assert.deepEqual(only("a > 1718400000000").value, { kind: "number", value: "1718400000000" });
    assert.deepEqual(only("a > 0.5").value, { kind: "number", value: "0.5" });
    assert.deepEqual(only("a > -3").value, { kind: "number", value: "-3" });
    assert.deepEqual(only("a > 1e3").value, { kind: "number", value: "1e3" });
  });
  test("true/false", () => assert.deepEqual(only("feedback.ok = TRUE").value, { kind: "string", value: "true" }));
  test("lists", () => {
    assert.deepEqual(only("a IN ('x', \"y\", 3)").value, {
      kind: "list",
      items: [
        { kind: "string", value: "x" },
        { kind: "string", value: "y" },
        { kind: "number", value: "3" },
      ],
    });
  });
  test("IS NULL has no value", () => assert.deepEqual(only("a IS NULL").value, { kind: "none" }));
  test("columns of comparator and value", () => {
    const c = only("trace.status  =  'OK'");
    assert.equal(c.column, 15);
    assert.equal(c.valueColumn, 18);
  });
});

describe("boolean structure", () => {
  test("empty and blank filters match everything", () => {
    assert.deepEqual(parseFilter(""), { kind: "and", items: [] });
    assert.deepEqual(parseFilter("   "), { kind: "and", items: [] });
  });
  test("AND, case-insensitive", () => {
    const ast = parseFilter("a = 1 and b = 2 AnD c = 3");
    assert.equal(ast.kind, "and");
    assert.equal((ast as { items: unknown[] }).items.length, 3);
  });
  test("AND binds tighter than OR", () => {
    const ast = parseFilter("a = 1 OR b = 2 AND c = 3");
    assert.equal(ast.kind, "or");
    const items = (ast as { items: FilterAst[] }).items;
    assert.equal(items[0].kind, "compare");
    assert.equal(items[1].kind, "and");
  });
  test("parentheses group", () => {
    const ast = parseFilter("(a = 1 OR b = 2) AND c = 3");
    assert.equal(ast.kind, "and");
    assert.equal((ast as { items: FilterAst[] }).items[0].kind, "or");
  });
  test("NOT", () => {
    const ast = parseFilter("NOT a = 1 AND not (b = 2 or c = 3)");
    const items = (ast as { items: FilterAst[] }).items;
    assert.equal(items[0].kind, "not");
    assert.equal(items[1].kind, "not");
    assert.equal((items[1] as { item: FilterAst }).item.kind, "or");
  });
  test("a field named like a keyword", () => {
    assert.equal(only("not = 'x'").field.key, "not");
    assert.equal(only("tag.and = 'x'").field.key, "and");
  });
});

describe("syntax errors point at the column", () => {
  const cases: [string, RegExp][] = [
    ["a = 1; b = 2", /^Unexpected character ';' at column 6$/],
    ["a = 'abc", /^Unterminated string at column 5$/],
    ['a = "abc', /^Unterminated string at column 5$/],
    ["tag.`abc = 'x'", /^Unterminated quoted key at column 5$/],
    ["trace.status = 'OK' AND", /^Expected a field name, found end of filter at column 24$/],
    ["trace.status = 'OK' AND AND b = 1", /^Expected a field name, found 'AND' at column 25$/],
    ["trace.status 'OK'", /^Invalid comparator ''OK'' at column 14$/],
    ["trace.status ~ 'OK'", /^Unexpected character '~' at column 14$/],
    ["trace.status = OK", /^Expected a quoted string or a number, found 'OK' at column 16$/],
    ["trace.status =", /^Expected a value, found end of filter at column 15$/],
    ["trace.status", /^Expected a comparator, found end of filter at column 13$/],
    ["trace.status = 'OK' trace.name = 'x'", /^Expected AND, OR or the end of the filter, found 'trace' at column 21$/],
    ["(a = 1", /^Expected '\)' to close the '\(' at column 1, found end of filter at column 7$/],
    ["a = 1)", /^Unbalanced '\)' at column 6$/],
    ["()", /^Empty parentheses at column 2$/],
    ["a IN 'x'", /^Expected '\(' after IN, found ''x'' at column 6$/],
    ["a IN ()", /^Empty list after IN at column 7$/],
    ["a IN ('x' 'y')", /^Expected ',' or '\)' in the list, found ''y'' at column 11$/],
    ["a = ('x')", /^A list of values needs IN or NOT IN, not '=' at column 5$/],
    ["a IS 'x'", /^Expected NULL or NOT NULL after IS, found ''x'' at column 6$/],
    ["a NOT LIKE 'x'", /^Invalid comparator 'NOT' at column 3$/],
    ["foo.bar = 'x'", /^Invalid search expression type 'foo' .* at column 1$/],
    ["tag. = 'x'", /^Expected a key after '.', found '=' at column 6$/],
    ["a = `x`", /backtick-quoted key at column 5$/],
    ["a = 12abc", /^Invalid number '12a' at column 5$/],
    ["a ! 'x'", /^Unexpected character '!' at column 3$/],
    ["tags.my-key = 'x'", /^Unexpected character '-' \(put keys containing '-' in backticks: `my-key`\) at column 8$/],
    ["trace.text LIKE '%你好%' AND x = 'y' ;", /^Unexpected character ';' at column 36$/],
  ];
  for (const [f, re] of cases) {
    test(f, () => {
      assert.throws(
        () => parseFilter(f),
        (e: unknown) => {
          assert.ok(e instanceof ApiError);
          assert.equal(e.code, "INVALID_PARAMETER_VALUE");
          assert.equal(e.status, 400);
          assert.match(e.message, re);
          return true;
        },
      );
    });
  }
  test("columns count code points, not UTF-16 units", () => {
    assert.equal(columnOf("𝄞ab", 2), 2);
    assert.equal(columnOf("𝄞ab", 3), 3);
    assert.throws(() => parseFilter("a = '𝄞' ;"), /at column 9$/);
  });
  test("overlong filters are refused", () => assert.throws(() => parseFilter("a = '" + "x".repeat(30_000) + "'"), /longer than/));
});

describe("order_by items", () => {
  const cases: [string, string, string, boolean][] = [
    ["timestamp_ms", "attribute", "timestamp_ms", false],
    ["timestamp_ms DESC", "attribute", "timestamp_ms", true],
    ["trace.execution_time_ms asc", "attribute", "execution_time_ms", false],
    ["tag.`my.key` DESC", "tag", "my.key", true],
    ["metadata.`mlflow.trace.session` desc", "metadata", "mlflow.trace.session", true],
  ];
  for (const [s, prefix, key, desc] of cases) {
    test(s, () => {
      const o = parseOrderBy(s);
      assert.equal(o.field.prefix, prefix);
      assert.equal(o.field.key, key);
      assert.equal(o.descending, desc);
    });
  }
  test("errors", () => {
    assert.throws(() => parseOrderBy(""), /Empty order_by clause at column 1/);
    assert.throws(() => parseOrderBy("name sideways"), /expected ASC or DESC after the field, found 'sideways' at column 6/);
    assert.throws(() => parseOrderBy("name DESC x"), /unexpected 'x' at column 11/);
  });
});

describe("robustness", () => {
  test("random token soup either parses or fails with a column inside the input", async () => {
    const { compileTraceFilter } = await import("./compile");
    const { SqlParams } = await import("./sql");
    const pieces = ["trace.status", "tag.`a.b`", "metadata.x", "span.name", "feedback.ok", "prompt", "name", "(", ")", "AND", "OR", "NOT", "=", "!=", "<", ">=", "LIKE", "IN", "NOT IN", "IS", "NULL", "'v'", '"w"', "12", "-3.5", ",", ";", "`", "'", ".", "你好", "é", "  "];
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 3000; i++) {
      const len = 1 + rand(8);
      const f = Array.from({ length: len }, () => pieces[rand(pieces.length)]).join(rand(3) ? " " : "");
      try {
        compileTraceFilter(parseFilter(f), new SqlParams());
      } catch (e) {
        assert.ok(e instanceof ApiError, `${f}: ${e}`);
        const m = / at column (\d+)/.exec(e.message);
        if (/^Invalid filter value/.test(e.message)) continue;
        assert.ok(m, `${f}: no column in "${e.message}"`);
        const col = Number(m[1]);
        assert.ok(col >= 1 && col <= [...f].length + 1, `${f}: column ${col} out of range`);
      }
    }
  });
});

describe("limits (issue #14): nesting, comparisons and IN lists are bounded, with the column", () => {
  const parens = (n: number) => "(".repeat(n) + "tag.a = 'x'" + ")".repeat(n);
  test("6,000 nested parentheses are a parse error, not a stack overflow", () => {
    assert.throws(() => parseFilter(parens(6000)), (e: unknown) => e instanceof ApiError && e.status === 400 && /more than 50 levels deep at column 51$/.test(e.message));
  });
  test("50 levels parse; NOT counts as a level", () => {
    assert.equal(parseFilter(parens(50)).kind, "compare");
    assert.throws(() => parseFilter("NOT ".repeat(51) + "tag.a = 'x'"), /more than 50 levels deep at column 201/);
  });
  test("IN lists of more than 1,000 values", () => {
    const list = (n: number) => `tag.a IN (${Array.from({ length: n }, (_, i) => `'${i}'`).join(", ")})`;
    assert.equal(parseFilter(list(1000)).kind, "compare");
    assert.throws(() => parseFilter(list(1001)), /More than 1000 values in the list after IN at column \d+/);
  });
  test("more than 200 comparisons", () => {
    const many = (n: number) => Array.from({ length: n }, () => "tag.a = 'x'").join(" AND ");
    assert.equal(parseFilter(many(200)).kind, "and");
    assert.throws(() => parseFilter(many(201)), /more than 200 comparisons at column 3201/);
  });
});
