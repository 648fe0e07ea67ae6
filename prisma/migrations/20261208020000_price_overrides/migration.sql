-- Users' own prices per model, edited on /settings/prices (issue #16; lib/store/prices.ts). They win over the
-- FLOWTRACE_PRICES / --prices entries, which win over the price table. Every process and OTLP worker thread
-- prices spans from an in-memory copy; the row "price_overrides_version" in server_settings is bumped in the
-- same transaction as every change, so a copy is refreshed by reading one row, not the table.
CREATE TABLE "price_overrides" (
    "id" BIGSERIAL NOT NULL,
    "model" TEXT NOT NULL,
    "provider" TEXT,
    "input_per_mtok" DOUBLE PRECISION NOT NULL,
    "output_per_mtok" DOUBLE PRECISION NOT NULL,
    "cache_read_per_mtok" DOUBLE PRECISION,
    "cache_write_per_mtok" DOUBLE PRECISION,
    "updated_by" TEXT,
    "updated_at" BIGINT NOT NULL,

    CONSTRAINT "price_overrides_pkey" PRIMARY KEY ("id")
);

INSERT INTO "server_settings" ("key", "value") VALUES ('price_overrides_version', '0') ON CONFLICT DO NOTHING;
