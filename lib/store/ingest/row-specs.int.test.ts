// The row specs (lib/store/ingest/*-row.ts) against the database: the SQL functions' array parameters and
// the spans table's columns are, in order, the specs' columns and types. The compiler checks that a spec names
// every field of its row; this checks the other side, so a column added to one side only fails here.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { closeDb, getPool } from "../../db";
import { pgTypes, type PgType, type RowSpec } from "./row-spec";
import { SPAN_ROW } from "./span-row";
import { START_TRACE_ROW } from "./trace-info-write";
import { TRACE_ROW } from "./trace-row";

after(() => closeDb());

const ARRAY_OF: Record<PgType, string> = { text: "text[]", jsonb: "jsonb[]", bigint: "bigint[]", int: "integer[]", numeric: "numeric[]", float8: "double precision[]" };
const arrays = <R>(spec: RowSpec<R>) => pgTypes(spec).map((t) => ARRAY_OF[t]);

/** The argument types of a function, in order, as PostgreSQL names them. */
async function argTypes(fn: string): Promise<string[]> {
  const { rows } = await getPool().query<{ t: string }>(
    `SELECT format_type(t, NULL) AS t FROM pg_proc p, unnest(p.proargtypes) WITH ORDINALITY AS a(t, i) WHERE p.proname = $1 ORDER BY i`,
    [fn],
  );
  return rows.map((r) => r.t);
}

test("flowtrace_ingest takes the span rows' then the trace rows' columns, then now", async () => {
  assert.deepEqual(await argTypes("flowtrace_ingest"), [...arrays(SPAN_ROW), ...arrays(TRACE_ROW), "bigint"]);
});

test("flowtrace_upsert_traces takes the trace rows' columns, then now", async () => {
  assert.deepEqual(await argTypes("flowtrace_upsert_traces"), [...arrays(TRACE_ROW), "bigint"]);
});

test("flowtrace_write takes the trace-info rows' columns and now, then flowtrace_ingest's", async () => {
  assert.deepEqual(await argTypes("flowtrace_write"), [...arrays(START_TRACE_ROW), "bigint", ...arrays(SPAN_ROW), ...arrays(TRACE_ROW), "bigint"]);
});

test("COPY writes the spans table's columns in its order, with its types", async () => {
  const { rows } = await getPool().query<{ column_name: string; udt_name: string }>(
    `SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'spans' ORDER BY ordinal_position`,
  );
  const udt: Record<PgType, string> = { text: "text", jsonb: "jsonb", bigint: "int8", int: "int4", numeric: "numeric", float8: "float8" };
  assert.deepEqual(
    rows.map((r) => `${r.column_name} ${r.udt_name}`),
    Object.values(SPAN_ROW).map((c) => `${c.column} ${udt[c.pgType as PgType]}`),
  );
});

test("flowtrace_upsert_trace_infos takes the trace-info rows' columns, then now", async () => {
  assert.deepEqual(await argTypes("flowtrace_upsert_trace_infos"), [...arrays(START_TRACE_ROW), "bigint"]);
});
