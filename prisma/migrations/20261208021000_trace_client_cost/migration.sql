-- Whether the trace's cost is the client's (mlflow.trace.cost in a StartTraceV3's metadata) rather than the
-- sum flowtrace derived from its spans. The metadata key alone could not tell: a derived cost is written to
-- the metadata too and, once StartTraceV3 finalized the row, looked like the client's on every later recount,
-- so the trace cost stopped following its spans (and a re-price could not change it).
-- NULL (a row made by spans, or stored before this column) means false: adding the column rewrites nothing.
ALTER TABLE "traces" ADD COLUMN "client_cost" BOOLEAN;

-- Rows stored before: what the recount assumed so far, so a client's cost is never overwritten.
UPDATE "traces" SET "client_cost" = true WHERE "info_finalized" AND "trace_metadata" ? 'mlflow.trace.cost';
