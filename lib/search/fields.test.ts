// The registry is the one place a trace field is declared: every entry must yield, without other edits, its
// filter SQL, its sort key, its table column (picker and header) and its filter-UI entries. These tests
// walk every entry, so a new one (say `{ key: "model", sql: "t.model", column: { … } }`) is checked the
// moment it is added.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compileTraceFilter, compileTraceOrderBy } from "./compile";
import { DISPLAY_KINDS, FILTER_UI_FIELDS, QUICK_SELECTS, TRACE_COLUMNS, TRACE_FIELDS, TRACE_ORDER_KEYS, type Comparator, type TraceField } from "./fields";
import { parseFilter, quoteFilterValue } from "./parse";
import { SqlParams } from "./sql";
import { TIME_RANGES } from "./timeRanges";

function compile(filter: string): string {
  return compileTraceFilter(parseFilter(filter), new SqlParams());
}

function sampleClause(f: TraceField, op: Comparator): string {
  const v = f.type === "number" ? "1" : f.type === "enum" ? quoteFilterValue(f.values![0]) : quoteFilterValue("x");
  if (op === "IS NULL" || op === "IS NOT NULL") return `trace.${f.key} ${op}`;
  if (op === "IN" || op === "NOT IN") return `trace.${f.key} ${op} (${v})`;
  return `trace.${f.key} ${op} ${v}`;
}

describe("every registry entry yields filter SQL, sort and column", () => {
  for (const f of TRACE_FIELDS) {
    test(`${f.key}: every comparator it allows compiles (over its own SQL)`, () => {
      for (const op of f.comparators) {
        const sql = compile(sampleClause(f, op));
        if (f.sql && f.key !== "run_id") assert.ok(sql.includes(f.sql), `${op}: ${sql}`);
      }
    });

    test(`${f.key}: sortable means order_by accepts it`, () => {
      if (f.sortable) assert.equal(compileTraceOrderBy([`${f.key} DESC`], new SqlParams())[0].sql, f.sql);
      else assert.throws(() => compileTraceOrderBy([`${f.key} DESC`], new SqlParams()), /Cannot sort/);
    });

    if (f.column) {
      test(`${f.key}: its column is in the picker, with a sorting header when it says so`, () => {
        const c = TRACE_COLUMNS.find((x) => x.id === f.column!.id);
        assert.ok(c, "in TRACE_COLUMNS");
        assert.equal(c.sql, f.sql, "the list query selects the field's SQL");
        assert.ok(c.label);
        assert.ok(DISPLAY_KINDS.includes(c.display));
        if (f.column!.sort) {
          assert.ok(f.sortable && f.sql, "a sorting header needs a sortable field");
          assert.equal(c.orderKey, f.key);
          assert.ok(TRACE_ORDER_KEYS.includes(f.key));
        } else assert.ok(!TRACE_ORDER_KEYS.includes(f.key));
      });
    }
  }
});

test("column ids and row keys are unique; a link column names its page", () => {
  assert.equal(new Set(TRACE_COLUMNS.map((c) => c.id)).size, TRACE_COLUMNS.length);
  assert.equal(new Set(TRACE_COLUMNS.map((c) => c.listKey)).size, TRACE_COLUMNS.length);
  for (const c of TRACE_COLUMNS) if (c.display === "link") assert.ok(c.link, c.id);
});

test("the table's columns, sort keys and presets are today's (ids are saved in browsers)", () => {
  assert.deepEqual(
    TRACE_COLUMNS.map((c) => [c.id, c.label, c.width, c.orderKey ?? null, !!c.defaultHidden]),
    [
      ["traceId", "Trace ID", 120, null, false],
      ["request", "Request", 0, null, false],
      ["response", "Response", 0, null, false],
      ["name", "Name", 120, null, false],
      ["state", "State", 92, "status", false],
      ["requestTime", "Request time", 146, "timestamp_ms", false],
      ["executionTime", "Execution time", 104, "execution_time_ms", false],
      ["tokens", "Tokens", 72, "total_tokens", false],
      ["session", "Session", 104, null, false],
      ["user", "User", 96, null, false],
      ["model", "Model", 120, "model", false],
      ["cost", "Cost", 76, "cost", false],
      ["tags", "Tags", 150, null, false],
      ["spans", "Spans", 70, null, true],
    ],
  );
  assert.deepEqual([...TRACE_ORDER_KEYS].sort(), ["cost", "execution_time_ms", "model", "status", "timestamp_ms", "total_tokens"]);
  assert.deepEqual(TIME_RANGES.map((r) => r.key), ["15m", "1h", "24h", "7d", "30d"]);
});

test("quick selects and filter-UI entries write clauses the compiler accepts with an allowed comparator", () => {
  for (const q of QUICK_SELECTS) for (const o of q.options) assert.doesNotThrow(() => compile(`${q.ref} = ${quoteFilterValue(o.value)}`), q.ref);
  for (const f of FILTER_UI_FIELDS) {
    const ref = f.keyed ? `${f.ref}.\`k\`` : f.ref;
    const clause = f.op === "contains" ? `${ref} ILIKE '%x%'` : `${ref} = 'x'`;
    assert.doesNotThrow(() => compile(clause), clause);
  }
  assert.deepEqual(
    FILTER_UI_FIELDS.map((f) => f.label),
    ["Trace name", "Session", "User", "Text contains", "Tag", "Span name"],
  );
});
