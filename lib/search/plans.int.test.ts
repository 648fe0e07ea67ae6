// The first page of every indexed filter must come from an index on an experiment with 100k traces, not
// from a scan of the experiment: EXPLAIN the exact SQL searchTraces runs and check the plan's shape.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { closeDb, getPool } from "../db";
import { explainSearch, seedTraces } from "../testing/bench-data";
import { createExperiment } from "../testing/search";

const uid = Math.random().toString(36).slice(2, 8);
let exp = "";

before(async () => {
  const pool = getPool();
  exp = await createExperiment(pool, `search-plans-${uid}`);
  await seedTraces(pool, exp, { traces: 100_000, spansPerTrace: 1, idPrefix: `tr-${uid}-`, batch: 50_000 });
});

after(() => closeDb());

const cases: { label: string; filter: string; orderBy?: string[]; index: RegExp }[] = [
  { label: "time order", filter: "", index: /Index Scan using traces_experiment_id_request_time_trace_id_idx/ },
  { label: "time range", filter: "trace.timestamp_ms >= 1700000500000 AND trace.timestamp_ms < 1700000600000", index: /Index Cond: \(\(experiment_id = .*request_time >=/ },
  { label: "session", filter: "metadata.`mlflow.trace.session` = 's-1234'", orderBy: ["timestamp_ms ASC"], index: /traces_experiment_id_session_id_request_time_idx/ },
  { label: "user", filter: "metadata.`mlflow.trace.user` = 'u-42'", index: /traces_experiment_id_user_id_request_time_idx/ },
  { label: "state", filter: "trace.status = 'ERROR'", index: /traces_experiment_id_state_request_time_idx/ },
  // a common tag is cheapest found by walking the time index; a rare one through the GIN index
  { label: "tag = (common)", filter: "tag.env = 'prod'", index: /traces_experiment_id_request_time_trace_id_idx|traces_tags_idx/ },
  { label: "tag = (rare)", filter: "tag.rare = 'yes'", index: /traces_tags_idx/ },
  { label: "metadata =", filter: "metadata.`mlflow.sourceRun` = 'run-7'", index: /traces_experiment_id_request_time_trace_id_idx|traces_trace_metadata_idx/ },
  { label: "slowest first", filter: "", orderBy: ["execution_time_ms DESC"], index: /traces_experiment_id_execution_duration_idx/ },
  { label: "most tokens first", filter: "", orderBy: ["total_tokens DESC"], index: /traces_experiment_id_total_tokens_idx/ },
  { label: "span type", filter: "span.type = 'CHAIN'", index: /Index Scan using spans_pkey/ },
];

for (const c of cases) {
  test(`${c.label}: ${c.filter || "(no filter)"}`, async () => {
    const plan = (await explainSearch(getPool(), { experimentIds: [exp], filter: c.filter, orderBy: c.orderBy })).join("\n");
    assert.match(plan, c.index, plan);
    assert.doesNotMatch(plan, /Seq Scan on traces/, plan);
    // no full sort of the experiment's rows: either no sort or one over an index-presorted prefix
    assert.doesNotMatch(plan, /^\s*->\s+Sort\b(?![\s\S]*Bitmap)/m, plan);
  });
}
