-- The LLM model of a trace (that of its earliest-starting span carrying one), derived at ingest
-- (lib/store/ingest/trace-rollup.ts for a write's spans, flowtrace_upsert_traces in prisma/functions when a
-- stored trace is recounted). Traces stored before this migration keep NULL until a span of theirs arrives:
-- a backfill would read every span row of the database during startup.
ALTER TABLE "traces" ADD COLUMN "model" TEXT;
