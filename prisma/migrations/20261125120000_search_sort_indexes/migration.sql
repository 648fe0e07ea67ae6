-- Search: first pages sorted by duration or tokens ("slowest", "most expensive" traces) read an index
-- instead of sorting the whole experiment (146 ms → <1 ms at 200k traces). Missing values sort last in
-- both directions (spec §5.7), so the index must say NULLS LAST, which schema.prisma cannot express.
--
-- Hand-written (not expressible in schema.prisma), for the schema-equivalence allow-list:
--   index traces_experiment_id_execution_duration_idx, index traces_experiment_id_total_tokens_idx

CREATE INDEX "traces_experiment_id_execution_duration_idx" ON "traces" ("experiment_id", "execution_duration" DESC NULLS LAST);

CREATE INDEX "traces_experiment_id_total_tokens_idx" ON "traces" ("experiment_id", "total_tokens" DESC NULLS LAST);
