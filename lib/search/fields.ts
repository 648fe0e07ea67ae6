// The one registry of searchable trace fields. The filter compiler, order_by, the traces table's columns,
// column picker, sort headers, quick filters and "Add filter" form all read it, so adding a field is one
// entry here (plus its derivation at ingest when the column is derived). It is pure data with no imports:
// client components import it. It is over 400 lines because it is one list on purpose: splitting the
// entries would make a new field an edit in two files again. Two kinds of entries:
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

/** How the traces table shows a value: each kind has one generic cell renderer (components/traces/traceColumns.tsx). */
export const DISPLAY_KINDS = ["traceId", "preview", "text", "status", "timestamp", "duration", "tokens", "cost", "count", "number", "link", "tags"] as const;
export type DisplayKind = (typeof DISPLAY_KINDS)[number];

/** What the traces table needs to show an entry as a column. */
export interface ColumnSpec {
  /** stable id, saved by the column picker in the browser */
  id: string;
  /** the table row property holding the value; the list query selects the field's `sql` under this name */
  listKey: string;
  /** header label when it differs from the field's */
  label?: string;
  /** px; 0 shares the width left over */
  width: number;
  align?: "right";
  display: DisplayKind;
  /** the header sorts by this field (its key is the order_by key) */
  sort?: boolean;
  defaultHidden?: boolean;
  /** the column picker cannot hide it */
  locked?: boolean;
  /** for display "link": the page of the value, /experiments/<id>/<link>/<value> */
  link?: "sessions" | "users";
}

/** A select of fixed values in the quick-filter bar; choosing one writes `<field> = '<value>'`. */
export interface QuickSelectSpec {
  label: string;
  /** the option that removes the clause */
  any: string;
  options: readonly { value: string; label: string }[];
}

/** An entry of the "Add filter" form: "=" writes `<field> = 'v'`, "contains" writes `<field> ILIKE '%v%'`. */
export interface FilterUiSpec {
  /** when it differs from the field's label */
  label?: string;
  op: "=" | "contains";
  /** a clause on the field shows as a removable chip in the quick-filter bar */
  chip?: boolean;
}

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
  column?: ColumnSpec;
  quickSelect?: QuickSelectSpec;
  filterUi?: FilterUiSpec;
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
    column: { id: "traceId", listKey: "traceId", width: 120, display: "traceId", locked: true },
    description: "The trace ID (tr-…)",
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
    column: { id: "request", listKey: "requestPreview", width: 0, display: "preview" },
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
    column: { id: "response", listKey: "responsePreview", width: 0, display: "preview" },
    description: "Preview of the root span outputs",
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
    column: { id: "name", listKey: "name", label: "Name", width: 120, display: "text" },
    filterUi: { op: "=" },
    description: "Root span name (tag mlflow.traceName)",
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
    column: { id: "state", listKey: "state", width: 92, display: "status", sort: true },
    quickSelect: { label: "State", any: "Any state", options: [{ value: "OK", label: "OK" }, { value: "ERROR", label: "Error" }, { value: "IN_PROGRESS", label: "In progress" }] },
    description: "OK, ERROR, IN_PROGRESS or STATE_UNSPECIFIED",
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
    column: { id: "requestTime", listKey: "requestTime", width: 146, display: "timestamp", sort: true },
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
    column: { id: "executionTime", listKey: "executionDuration", width: 104, align: "right", display: "duration", sort: true },
    description: "Duration in milliseconds (empty while in progress)",
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
    column: { id: "tokens", listKey: "totalTokens", width: 72, align: "right", display: "tokens", sort: true },
    description: "Total tokens over the trace's LLM calls",
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
    column: { id: "session", listKey: "sessionId", width: 104, display: "link", link: "sessions" },
    filterUi: { op: "=", chip: true },
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
    column: { id: "user", listKey: "userId", width: 96, display: "link", link: "users" },
    filterUi: { op: "=", chip: true },
    description: "End user ID (metadata mlflow.trace.user)",
  },
  {
    key: "model",
    aliases: ["llm_model"],
    label: "Model",
    type: "string",
    comparators: STRING_OPS,
    sortable: true,
    sql: "t.model",
    sqlType: "text",
    nullable: true,
    extension: true,
    column: { id: "model", listKey: "model", width: 120, display: "text", sort: true },
    description: "LLM model of the trace: the earliest span that names one (gen_ai.*.model, mlflow.llm.model, …)",
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
    column: { id: "spans", listKey: "spanCount", width: 70, align: "right", display: "count", defaultHidden: true },
    description: "Number of spans",
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
    filterUi: { label: "Text contains", op: "contains" },
    description: "Matches the request/response previews and any span's name, inputs, outputs or attributes",
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
    column: { id: "cost", listKey: "cost", label: "Cost", width: 76, align: "right", display: "cost", sort: true },
    description: "Total cost in USD: the client's (mlflow.trace.cost, mlflow.llm.cost) or priced from the model and tokens",
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
  /** a column showing the whole family (the table row carries it as it is) */
  column?: ColumnSpec;
  /** offered in the "Add filter" form with a key input */
  filterUi?: FilterUiSpec;
}

export const FILTER_FAMILIES: readonly FilterFamily[] = [
  {
    prefix: "tag",
    syntax: "tag.<key>",
    label: "Tag",
    keyed: true,
    comparators: STRING_OPS,
    sortable: true,
    description: "Trace tag value",
    column: { id: "tags", listKey: "tags", label: "Tags", width: 150, display: "tags" },
    filterUi: { op: "=" },
  },
  { prefix: "metadata", syntax: "metadata.<key>", label: "Metadata", keyed: true, comparators: STRING_OPS, sortable: true, description: "Trace metadata value" },
  { prefix: "span", syntax: "span.name | span.type | span.status | span.attributes.<key>", label: "Span", keyed: true, comparators: STRING_OPS.filter((c) => !c.startsWith("IS")), sortable: false, description: "A trace matches when any of its spans matches" },
  { prefix: "feedback", syntax: "feedback.<name>", label: "Feedback", keyed: true, comparators: [...STRING_OPS, "<", "<=", ">", ">="], sortable: false, description: "Value of a valid feedback with that name, compared as text (numbers also numerically)" },
  { prefix: "expectation", syntax: "expectation.<name>", label: "Expectation", keyed: true, comparators: [...STRING_OPS, "<", "<=", ">", ">="], sortable: false, description: "Value of an expectation with that name" },
  { prefix: "prompt", syntax: "prompt", label: "Linked prompt", keyed: false, comparators: ["="], sortable: false, description: "A linked prompt version, written \"name/version\"" },
];

/** Span types the quick filter offers (any other type is still searchable). */
export const SPAN_TYPES = ["LLM", "CHAT_MODEL", "AGENT", "TOOL", "RETRIEVER", "CHAIN", "EMBEDDING", "RERANKER", "PARSER"] as const;

/** Span sub-fields of `span.<x>`: SQL over `spans s`. */
export const SPAN_FIELDS: Record<string, { sql: string; comparators: Comparator[]; label: string; quickSelect?: QuickSelectSpec; filterUi?: FilterUiSpec }> = {
  name: { sql: "s.name", comparators: FILTER_FAMILIES[2].comparators, label: "Span name", filterUi: { op: "=" } },
  type: {
    sql: "s.span_type",
    comparators: FILTER_FAMILIES[2].comparators,
    label: "Span type",
    quickSelect: { label: "Span type", any: "Any span type", options: SPAN_TYPES.map((t) => ({ value: t, label: `Has ${t} span` })) },
  },
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

// ------------------------------------------------------------------------------------- what the UI reads

/** A column of the traces table. */
export interface TraceColumn extends ColumnSpec {
  label: string;
  /** order_by key of a sorting header */
  orderKey?: string;
  /** SQL over `traces t` the list query selects as `listKey`; absent for a family column (tags) */
  sql?: string;
  sqlType?: SqlType;
}

const columnOf = (f: TraceField): TraceColumn => ({
  ...f.column!,
  label: f.column!.label ?? f.label,
  orderKey: f.column!.sort ? f.key : undefined,
  sql: f.sql,
  sqlType: f.sqlType,
});

/** The traces table's columns in picker order: registry order, the ones shown by default first. */
export const TRACE_COLUMNS: readonly TraceColumn[] = [
  ...TRACE_FIELDS.filter((f) => f.column).map(columnOf),
  ...FILTER_FAMILIES.filter((f) => f.column).map((f) => ({ ...f.column!, label: f.column!.label ?? f.label })),
].sort((a, b) => Number(!!a.defaultHidden) - Number(!!b.defaultHidden));

/** The order_by keys the table's headers sort by (the UI list accepts no others). */
export const TRACE_ORDER_KEYS: readonly string[] = TRACE_COLUMNS.flatMap((c) => (c.orderKey ? [c.orderKey] : []));

/** Where a UI-written clause goes: `ref` as written into the filter, `clauseField` as setClause matches it
 *  (components/traces/filterText.ts normalizes identifiers the same way). */
export interface FilterTarget {
  ref: string;
  clauseField: string;
}

/** Fields stored as metadata are written as such (`metadata.\`mlflow.trace.session\``), so that the filter
 *  reads the same as the one the Sessions and Users pages link to. */
function traceTarget(f: TraceField): FilterTarget {
  const meta = Object.keys(METADATA_COLUMNS).find((k) => METADATA_COLUMNS[k] === f.key);
  return meta ? { ref: `metadata.\`${meta}\``, clauseField: `metadata.${meta}` } : { ref: `trace.${f.key}`, clauseField: f.key };
}

export interface QuickSelect extends QuickSelectSpec, FilterTarget {
  /** a trace field's select comes before the time range, a span field's after */
  scope: "trace" | "span";
}

export const QUICK_SELECTS: readonly QuickSelect[] = [
  ...TRACE_FIELDS.filter((f) => f.quickSelect).map((f) => ({ ...f.quickSelect!, ...traceTarget(f), scope: "trace" as const })),
  ...Object.entries(SPAN_FIELDS)
    .filter(([, f]) => f.quickSelect)
    .map(([k, f]) => ({ ...f.quickSelect!, ref: `span.${k}`, clauseField: `span.${k}`, scope: "span" as const })),
];

export interface FilterUiField extends FilterUiSpec, FilterTarget {
  id: string;
  label: string;
  /** the form asks for a key too (`tag.<key>`); ref and clauseField are then prefixes */
  keyed: boolean;
}

/** The fields of the "Add filter" form, in registry order. */
export const FILTER_UI_FIELDS: readonly FilterUiField[] = [
  ...TRACE_FIELDS.filter((f) => f.filterUi).map((f) => ({ ...f.filterUi!, label: f.filterUi!.label ?? f.label, id: f.key, keyed: false, ...traceTarget(f) })),
  ...FILTER_FAMILIES.filter((f) => f.filterUi).map((f) => ({ ...f.filterUi!, label: f.filterUi!.label ?? f.label, id: f.prefix, keyed: f.keyed, ref: f.prefix, clauseField: f.prefix })),
  ...Object.entries(SPAN_FIELDS)
    .filter(([, f]) => f.filterUi)
    .map(([k, f]) => ({ ...f.filterUi!, label: f.filterUi!.label ?? f.label, id: `span.${k}`, keyed: false, ref: `span.${k}`, clauseField: `span.${k}` })),
];
