// The one registry of searchable trace fields. The filter compiler, order_by, the table's column picker
// and the filter UI all read it, so adding a field is one entry here. Two kinds of entries:
// - TRACE_FIELDS: fixed attributes (`trace.status`, `timestamp_ms`, …), one SQL expression each over the
//   `traces` row aliased `t`;
// - FILTER_FAMILIES: keyed families (`tag.<key>`, `metadata.<key>`, `span.attributes.<key>`,
//   `feedback.<name>`, …) whose SQL depends on the key; compile.ts builds it.

export const COMPARATORS = ["=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE", "RLIKE", "IN", "NOT IN", "IS NULL", "IS NOT NULL"] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** Canonical prefixes of the filter grammar (spec §5.6) and every spelling accepted for each. */
export const PREFIX_ALIASES: Record<string, Prefix> = {
  attribute: "attribute",
  attributes: "attribute",
  attr: "attribute",
  run: "attribute",
  trace: "attribute",
  tag: "tag",
  tags: "tag",
  metadata: "metadata",
  request_metadata: "metadata",
  span: "span",
  feedback: "feedback",
  expectation: "expectation",
  prompt: "prompt",
};
export type Prefix = "attribute" | "tag" | "metadata" | "span" | "feedback" | "expectation" | "prompt";

export type FieldType = "string" | "number" | "enum" | "text";
/** SQL type of a sort key, used to cast page-token values back. */
export type SqlType = "text" | "bigint" | "float8" | "integer" | "numeric";

export const STRING_OPS: Comparator[] = ["=", "!=", "LIKE", "ILIKE", "RLIKE", "IN", "NOT IN", "IS NULL", "IS NOT NULL"];
export const NUMBER_OPS: Comparator[] = ["=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "IS NULL", "IS NOT NULL"];
export const ENUM_OPS: Comparator[] = ["=", "!=", "IN", "NOT IN"];
export const TEXT_OPS: Comparator[] = ["LIKE", "ILIKE"];

export const TRACE_STATES = ["OK", "ERROR", "IN_PROGRESS", "STATE_UNSPECIFIED"] as const;

export interface TraceField {
  /** canonical attribute key, as written after `trace.` */
  key: string;
  /** other accepted spellings of the key (after an attribute prefix or bare) */
  aliases: string[];
  /** human label for the table header and the filter UI */
  label: string;
  type: FieldType;
  /** allowed values for enum fields */
  values?: readonly string[];
  comparators: Comparator[];
  /** may appear in order_by */
  sortable: boolean;
  /** SQL expression over `traces t`; absent for fields compiled specially (run_id, text) */
  sql?: string;
  sqlType: SqlType;
  /** the expression can be NULL (sorts last; keyset pagination must handle it) */
  nullable: boolean;
  /** not an MLflow field: a flowtrace extension over a denormalized column */
  extension?: boolean;
  description: string;
}

export const TRACE_FIELDS: readonly TraceField[] = [
  {
    key: "request_id",
    aliases: ["trace_id"],
    label: "Trace ID",
    type: "string",
    comparators: ["=", "!=", "LIKE", "ILIKE", "RLIKE", "IN", "NOT IN"],
    sortable: true,
    sql: "t.trace_id",
    sqlType: "text",
    nullable: false,
    description: "The trace ID (tr-…)",
  },
  {
    key: "timestamp_ms",
    aliases: ["timestamp", "request_time"],
    label: "Request time",
    type: "number",
    comparators: NUMBER_OPS.filter((c) => !c.startsWith("IS")),
    sortable: true,
    sql: "t.request_time",
    sqlType: "bigint",
    nullable: false,
    description: "Trace start, epoch milliseconds",
  },
  {
    key: "execution_time_ms",
    aliases: ["execution_time", "execution_duration"],
    label: "Execution time",
    type: "number",
    comparators: NUMBER_OPS,
    sortable: true,
    sql: "t.execution_duration",
    sqlType: "bigint",
    nullable: true,
    description: "Duration in milliseconds (empty while in progress)",
  },
  {
    key: "end_time_ms",
    aliases: ["end_time"],
    label: "End time",
    type: "number",
    comparators: NUMBER_OPS,
    sortable: true,
    sql: "COALESCE(t.end_time, t.request_time + t.execution_duration)",
    sqlType: "bigint",
    nullable: true,
    description: "Trace end, epoch milliseconds",
  },
  {
    key: "status",
    aliases: ["state"],
    label: "State",
    type: "enum",
    values: TRACE_STATES,
    comparators: ENUM_OPS,
    sortable: true,
    sql: "t.state",
    sqlType: "text",
    nullable: false,
    description: "OK, ERROR, IN_PROGRESS or STATE_UNSPECIFIED",
  },
  {
    key: "name",
    aliases: ["trace_name"],
    label: "Trace name",
    type: "string",
    comparators: STRING_OPS,
    sortable: true,
    sql: "t.name",
    sqlType: "text",
    nullable: true,
    description: "Root span name (tag mlflow.traceName)",
  },
  {
    key: "run_id",
    aliases: ["source_run"],
    label: "Run",
    type: "string",
    comparators: ["=", "!=", "IN", "NOT IN", "IS NULL", "IS NOT NULL"],
    sortable: true,
    // filtering also matches traces linked to the run (trace_run_links); sorting uses the metadata only
    sql: "(t.trace_metadata ->> 'mlflow.sourceRun')",
    sqlType: "text",
    nullable: true,
    description: "Run the trace was created in (metadata mlflow.sourceRun) or linked to",
  },
  {
    key: "client_request_id",
    aliases: [],
    label: "Client request ID",
    type: "string",
    comparators: STRING_OPS,
    sortable: true,
    sql: "t.client_request_id",
    sqlType: "text",
    nullable: true,
    description: "Request ID given by the client",
  },
  {
    key: "experiment_id",
    aliases: [],
    label: "Experiment",
    type: "number",
    comparators: ["=", "!=", "IN", "NOT IN"],
    sortable: true,
    sql: "t.experiment_id",
    sqlType: "bigint",
    nullable: false,
    description: "Experiment the trace belongs to",
  },
  {
    key: "text",
    aliases: ["content"],
    label: "Full text",
    type: "text",
    comparators: TEXT_OPS,
    sortable: false,
    sqlType: "text",
    nullable: true,
    description: "Matches the request/response previews and any span's name, inputs, outputs or attributes",
  },
  {
    key: "request_preview",
    aliases: ["request", "inputs"],
    label: "Request",
    type: "string",
    comparators: ["LIKE", "ILIKE", "RLIKE", "IS NULL", "IS NOT NULL"],
    sortable: false,
    sql: "t.request_preview",
    sqlType: "text",
    nullable: true,
    extension: true,
    description: "Preview of the root span inputs",
  },
  {
    key: "response_preview",
    aliases: ["response", "outputs"],
    label: "Response",
    type: "string",
    comparators: ["LIKE", "ILIKE", "RLIKE", "IS NULL", "IS NOT NULL"],
    sortable: false,
    sql: "t.response_preview",
    sqlType: "text",
    nullable: true,
    extension: true,
    description: "Preview of the root span outputs",
  },
  {
    key: "session",
    aliases: ["session_id"],
    label: "Session",
    type: "string",
    comparators: STRING_OPS,
    sortable: true,
    sql: "t.session_id",
    sqlType: "text",
    nullable: true,
    extension: true,
    description: "Session ID (metadata mlflow.trace.session)",
  },
  {
    key: "user",
    aliases: ["user_id"],
    label: "User",
    type: "string",
    comparators: STRING_OPS,
    sortable: true,
    sql: "t.user_id",
    sqlType: "text",
    nullable: true,
    extension: true,
    description: "End user ID (metadata mlflow.trace.user)",
  },
  {
    key: "total_tokens",
    aliases: ["tokens"],
    label: "Tokens",
    type: "number",
    comparators: NUMBER_OPS,
    sortable: true,
    sql: "t.total_tokens",
    sqlType: "bigint",
    nullable: true,
    extension: true,
    description: "Total tokens over the trace's LLM calls",
  },
  {
    key: "input_tokens",
    aliases: [],
    label: "Input tokens",
    type: "number",
    comparators: NUMBER_OPS,
    sortable: true,
    sql: "t.input_tokens",
    sqlType: "bigint",
    nullable: true,
    extension: true,
    description: "Input (prompt) tokens",
  },
  {
    key: "output_tokens",
    aliases: [],
    label: "Output tokens",
    type: "number",
    comparators: NUMBER_OPS,
    sortable: true,
    sql: "t.output_tokens",
    sqlType: "bigint",
    nullable: true,
    extension: true,
    description: "Output (completion) tokens",
  },
  {
    key: "cost",
    aliases: ["total_cost"],
    label: "Cost (USD)",
    type: "number",
    comparators: NUMBER_OPS,
    sortable: true,
    sql: "t.cost",
    sqlType: "float8",
    nullable: true,
    extension: true,
    description: "Total cost in USD",
  },
  {
    key: "span_count",
    aliases: ["spans"],
    label: "Spans",
    type: "number",
    comparators: NUMBER_OPS.filter((c) => !c.startsWith("IS")),
    sortable: true,
    sql: "t.span_count",
    sqlType: "integer",
    nullable: false,
    extension: true,
    description: "Number of spans",
  },
  {
    key: "error_count",
    aliases: ["errors"],
    label: "Errors",
    type: "number",
    comparators: NUMBER_OPS.filter((c) => !c.startsWith("IS")),
    sortable: true,
    sql: "t.error_count",
    sqlType: "integer",
    nullable: false,
    extension: true,
    description: "Number of spans with status ERROR",
  },
];

export interface FilterFamily {
  prefix: Exclude<Prefix, "attribute">;
  /** how it is written, for help texts: `tag.<key>` */
  syntax: string;
  label: string;
  /** a key is required after the prefix (false only for `prompt`) */
  keyed: boolean;
  comparators: Comparator[];
  sortable: boolean;
  description: string;
}

export const FILTER_FAMILIES: readonly FilterFamily[] = [
  { prefix: "tag", syntax: "tag.<key>", label: "Tag", keyed: true, comparators: STRING_OPS, sortable: true, description: "Trace tag value" },
  { prefix: "metadata", syntax: "metadata.<key>", label: "Metadata", keyed: true, comparators: STRING_OPS, sortable: true, description: "Trace metadata value" },
  { prefix: "span", syntax: "span.name | span.type | span.status | span.attributes.<key>", label: "Span", keyed: true, comparators: STRING_OPS.filter((c) => !c.startsWith("IS")), sortable: false, description: "A trace matches when any of its spans matches" },
  { prefix: "feedback", syntax: "feedback.<name>", label: "Feedback", keyed: true, comparators: [...STRING_OPS, "<", "<=", ">", ">="], sortable: false, description: "Value of a valid feedback with that name, compared as text (numbers also numerically)" },
  { prefix: "expectation", syntax: "expectation.<name>", label: "Expectation", keyed: true, comparators: [...STRING_OPS, "<", "<=", ">", ">="], sortable: false, description: "Value of an expectation with that name" },
  { prefix: "prompt", syntax: "prompt", label: "Linked prompt", keyed: false, comparators: ["="], sortable: false, description: "A linked prompt version, written \"name/version\"" },
];

/** Span sub-fields of `span.<x>`: SQL over `spans s`. */
export const SPAN_FIELDS: Record<string, { sql: string; comparators: Comparator[]; label: string }> = {
  name: { sql: "s.name", comparators: FILTER_FAMILIES[2].comparators, label: "Span name" },
  type: { sql: "s.span_type", comparators: FILTER_FAMILIES[2].comparators, label: "Span type" },
  status: { sql: "s.status_code", comparators: ["=", "!=", "IN", "NOT IN"], label: "Span status" },
};

/** Metadata keys that have their own indexed column: filters and sorts on them use the column. */
export const METADATA_COLUMNS: Record<string, string> = {
  "mlflow.trace.session": "session",
  "mlflow.trace.user": "user",
};

const byName = new Map<string, TraceField>();
for (const f of TRACE_FIELDS) for (const n of [f.key, ...f.aliases]) byName.set(n.toLowerCase(), f);

/** The attribute field for a key or alias (case-insensitive), or undefined. */
export function findTraceField(key: string): TraceField | undefined {
  return byName.get(key.toLowerCase());
}

export function findFilterFamily(prefix: Prefix): FilterFamily | undefined {
  return FILTER_FAMILIES.find((f) => f.prefix === prefix);
}

export function canonicalPrefix(word: string): Prefix | undefined {
  return PREFIX_ALIASES[word.toLowerCase()];
}

/** Experiments search (spec §2.2): attributes and `tags.<key>`. */
export interface ExperimentField {
  key: string;
  aliases: string[];
  type: "string" | "number";
  comparators: Comparator[];
  sortable: boolean;
  sql: string;
  sqlType: SqlType;
}

export const EXPERIMENT_FIELDS: readonly ExperimentField[] = [
  { key: "name", aliases: [], type: "string", comparators: ["=", "!=", "LIKE", "ILIKE", "RLIKE", "IN", "NOT IN"], sortable: true, sql: "e.name", sqlType: "text" },
  { key: "experiment_id", aliases: ["id"], type: "number", comparators: ["=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN"], sortable: true, sql: "e.experiment_id", sqlType: "bigint" },
  { key: "creation_time", aliases: [], type: "number", comparators: ["=", "!=", "<", "<=", ">", ">="], sortable: true, sql: "e.creation_time", sqlType: "bigint" },
  { key: "last_update_time", aliases: [], type: "number", comparators: ["=", "!=", "<", "<=", ">", ">="], sortable: true, sql: "e.last_update_time", sqlType: "bigint" },
];

export function findExperimentField(key: string): ExperimentField | undefined {
  const k = key.toLowerCase();
  return EXPERIMENT_FIELDS.find((f) => f.key === k || f.aliases.includes(k));
}
