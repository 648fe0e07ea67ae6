// The shapes of stored rows that the store answers with and the MLflow formats (lib/mlflow/format.ts) read:
// they belong to the store, which the formats depend on, not the other way round.

/** A bigint column as Prisma (bigint), JSON (number) or pg (string) hands it over. */
export type Int = bigint | number | string;

export interface ExperimentRow {
  experimentId: bigint | number | string;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
  creationTime: Int;
  lastUpdateTime: Int;
  tags: { key: string; value: string }[];
}

export interface AssessmentRow {
  assessmentId: string;
  traceId: string;
  spanId: string | null;
  name: string;
  kind: string;
  value: unknown;
  serializedValue: unknown;
  error: unknown;
  sourceType: string;
  sourceId: string | null;
  rationale: string | null;
  metadata: unknown;
  overrides: string | null;
  valid: boolean;
  createTime: Int;
  lastUpdateTime: Int;
}

/** The stored trace fields the MLflow formats need (Prisma's Trace and search's TraceRow both fit). */
export interface TraceInfoRow {
  traceId: string;
  experimentId: bigint | number | string;
  clientRequestId?: string | null;
  requestTime: Int;
  executionDuration?: Int | null;
  state: string;
  requestPreview?: string | null;
  responsePreview?: string | null;
  metadata: unknown;
  tags: unknown;
}
