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

/** A trace's figures as the UI shows them (trace header, session turn): times in ms, numbers as numbers. */
export interface TraceFigures {
  traceId: string;
  name: string | null;
  userId: string | null;
  state: string;
  requestTime: number;
  executionDuration: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cost: number | null;
  spanCount: number;
  errorCount: number;
}
