
-- CreateTable
CREATE TABLE "experiments" (
    "experiment_id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "artifact_location" TEXT NOT NULL,
    "lifecycle_stage" TEXT NOT NULL DEFAULT 'active',
    "creation_time" BIGINT NOT NULL,
    "last_update_time" BIGINT NOT NULL,

    CONSTRAINT "experiments_pkey" PRIMARY KEY ("experiment_id")
);

-- CreateTable
CREATE TABLE "experiment_tags" (
    "experiment_id" BIGINT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "experiment_tags_pkey" PRIMARY KEY ("experiment_id","key")
);

-- CreateTable
CREATE TABLE "traces" (
    "trace_id" TEXT NOT NULL,
    "experiment_id" BIGINT NOT NULL,
    "client_request_id" TEXT,
    "request_time" BIGINT NOT NULL,
    "execution_duration" BIGINT,
    "end_time" BIGINT,
    "state" TEXT NOT NULL DEFAULT 'IN_PROGRESS',
    "request_preview" TEXT,
    "response_preview" TEXT,
    "trace_metadata" JSONB NOT NULL DEFAULT '{}',
    "tags" JSONB NOT NULL DEFAULT '{}',
    "name" TEXT,
    "session_id" TEXT,
    "user_id" TEXT,
    "input_tokens" BIGINT,
    "output_tokens" BIGINT,
    "total_tokens" BIGINT,
    "cost" DOUBLE PRECISION,
    "span_count" INTEGER NOT NULL DEFAULT 0,
    "error_count" INTEGER NOT NULL DEFAULT 0,
    "root_span_id" TEXT,
    "info_finalized" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" BIGINT NOT NULL,

    CONSTRAINT "traces_pkey" PRIMARY KEY ("trace_id")
);

-- CreateTable
CREATE TABLE "spans" (
    "trace_id" TEXT NOT NULL,
    "span_id" TEXT NOT NULL,
    "parent_span_id" TEXT,
    "experiment_id" BIGINT NOT NULL,
    "name" TEXT NOT NULL,
    "span_type" TEXT,
    "start_time_ns" BIGINT NOT NULL,
    "end_time_ns" BIGINT,
    "status_code" TEXT NOT NULL DEFAULT 'UNSET',
    "status_message" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "inputs" TEXT,
    "outputs" TEXT,
    "events" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "spans_pkey" PRIMARY KEY ("trace_id","span_id")
);

-- CreateTable
CREATE TABLE "assessments" (
    "assessment_id" TEXT NOT NULL,
    "trace_id" TEXT NOT NULL,
    "span_id" TEXT,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" JSONB,
    "serialized_value" JSONB,
    "error" JSONB,
    "source_type" TEXT NOT NULL DEFAULT 'SOURCE_TYPE_UNSPECIFIED',
    "source_id" TEXT,
    "rationale" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "overrides" TEXT,
    "valid" BOOLEAN NOT NULL DEFAULT true,
    "create_time" BIGINT NOT NULL,
    "last_update_time" BIGINT NOT NULL,

    CONSTRAINT "assessments_pkey" PRIMARY KEY ("assessment_id")
);

-- CreateTable
CREATE TABLE "trace_run_links" (
    "trace_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,

    CONSTRAINT "trace_run_links_pkey" PRIMARY KEY ("trace_id","run_id")
);

-- CreateTable
CREATE TABLE "artifacts" (
    "path" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "content_type" TEXT,
    "size" BIGINT NOT NULL,
    "created_at" BIGINT NOT NULL,

    CONSTRAINT "artifacts_pkey" PRIMARY KEY ("path")
);

-- CreateTable
CREATE TABLE "users" (
    "id" BIGSERIAL NOT NULL,
    "username" TEXT NOT NULL,
    "password_hash" TEXT,
    "is_admin" BOOLEAN NOT NULL DEFAULT false,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" BIGINT NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_tokens" (
    "id" BIGSERIAL NOT NULL,
    "user_id" BIGINT NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_at" BIGINT NOT NULL,
    "last_used_at" BIGINT,
    "revoked_at" BIGINT,

    CONSTRAINT "access_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "experiment_permissions" (
    "experiment_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "permission" TEXT NOT NULL,

    CONSTRAINT "experiment_permissions_pkey" PRIMARY KEY ("experiment_id","user_id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" BIGINT NOT NULL,
    "actor" TEXT,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "experiments_name_key" ON "experiments"("name");

-- CreateIndex
CREATE INDEX "experiments_lifecycle_stage_creation_time_idx" ON "experiments"("lifecycle_stage", "creation_time" DESC);

-- CreateIndex
CREATE INDEX "traces_experiment_id_request_time_trace_id_idx" ON "traces"("experiment_id", "request_time" DESC, "trace_id");

-- CreateIndex
CREATE INDEX "traces_experiment_id_session_id_request_time_idx" ON "traces"("experiment_id", "session_id", "request_time");

-- CreateIndex
CREATE INDEX "traces_experiment_id_user_id_request_time_idx" ON "traces"("experiment_id", "user_id", "request_time");

-- CreateIndex
CREATE INDEX "traces_experiment_id_state_request_time_idx" ON "traces"("experiment_id", "state", "request_time" DESC);

-- CreateIndex
CREATE INDEX "traces_experiment_id_updated_at_idx" ON "traces"("experiment_id", "updated_at");

-- CreateIndex
CREATE INDEX "traces_tags_idx" ON "traces" USING GIN ("tags" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "traces_trace_metadata_idx" ON "traces" USING GIN ("trace_metadata" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "assessments_trace_id_idx" ON "assessments"("trace_id");

-- CreateIndex
CREATE INDEX "assessments_name_kind_idx" ON "assessments"("name", "kind");

-- CreateIndex
CREATE INDEX "trace_run_links_run_id_idx" ON "trace_run_links"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "access_tokens_token_hash_key" ON "access_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "access_tokens_user_id_idx" ON "access_tokens"("user_id");

-- CreateIndex
CREATE INDEX "experiment_permissions_user_id_idx" ON "experiment_permissions"("user_id");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");

-- AddForeignKey
ALTER TABLE "experiment_tags" ADD CONSTRAINT "experiment_tags_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("experiment_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "traces" ADD CONSTRAINT "traces_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("experiment_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_trace_id_fkey" FOREIGN KEY ("trace_id") REFERENCES "traces"("trace_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trace_run_links" ADD CONSTRAINT "trace_run_links_trace_id_fkey" FOREIGN KEY ("trace_id") REFERENCES "traces"("trace_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "access_tokens" ADD CONSTRAINT "access_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment_permissions" ADD CONSTRAINT "experiment_permissions_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("experiment_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment_permissions" ADD CONSTRAINT "experiment_permissions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

