// Filter AST → parameterized SQL. Trace filters are boolean expressions over `traces t`; experiment
// filters over `experiments e`. Field names and comparators are checked against fields.ts here, with the
// column of the offending token in the error.
// Over 400 lines: one compiler per filter family (attributes, tags/metadata, spans, assessments, text), kept
// together because they share the parameter list and the error positions; split, each would re-import the same core.
import { invalidParameter } from "../errors";
import {
  findTraceField,
  METADATA_COLUMNS,
  SPAN_FIELDS,
  findFilterFamily,
  type Comparator,
  type SqlType,
  type TraceField,
} from "./fields";
import { findExperimentField } from "./experimentFields";
import { parseFilter, parseOrderBy, type FieldRef, type FilterAst, type FilterValue, type Scalar } from "./parse";
import { SqlParams, type SortKey } from "./sql";

type Compare = Extract<FilterAst, { kind: "compare" }>;

function fieldError(ref: FieldRef, what: string): never {
  throw invalidParameter(`${what} at column ${ref.column}`);
}
function opError(c: Compare, allowed: Comparator[]): never {
  throw invalidParameter(`Invalid comparator '${c.op}' for ${c.field.text} (allowed: ${allowed.join(", ")}) at column ${c.column}`);
}
function valueError(c: Compare, what: string): never {
  throw invalidParameter(`${what} at column ${c.valueColumn}`);
}

const scalars = (v: FilterValue): Scalar[] => (v.kind === "list" ? v.items : v.kind === "none" ? [] : [v]);

/** Combines AND/OR/NOT; leaves comparisons to `leaf`. NOT treats an unknown (NULL) comparison as false
 *  so that `NOT name = 'x'` also matches traces without a name. */
function compileTree(ast: FilterAst, leaf: (c: Compare) => string): string {
  switch (ast.kind) {
    case "and":
      return ast.items.length === 0 ? "TRUE" : ast.items.map((i) => `(${compileTree(i, leaf)})`).join(" AND ");
    case "or":
      return ast.items.map((i) => `(${compileTree(i, leaf)})`).join(" OR ");
    case "not":
      return `(${compileTree(ast.item, leaf)}) IS NOT TRUE`;
    case "compare":
      return leaf(ast);
  }
}

const isInteger = (s: string) => /^[-+]?\d+$/.test(s);

/** Bound placeholder for a number compared with a column of `sqlType`; integers keep the column's type
 *  so that btree indexes apply. */
function numberParam(c: Compare, s: Scalar, sqlType: SqlType, params: SqlParams): string {
  const text = s.value.trim();
  if (text === "" || !Number.isFinite(Number(text))) valueError(c, `Expected a number for ${c.field.text}, found '${s.value}'`);
  if (sqlType === "float8" || sqlType === "numeric") return params.add(text, sqlType);
  if (isInteger(text)) return params.add(text.replace(/^\+/, ""), sqlType === "integer" ? "bigint" : sqlType);
  return params.add(text, "numeric");
}

/** `expr <op> value` for a scalar expression. `toParam` binds one scalar. */
function scalarPredicate(expr: string, c: Compare, toParam: (s: Scalar) => string, arrayParam: (items: Scalar[]) => string): string {
  const [v] = scalars(c.value);
  switch (c.op) {
    case "=":
      return `${expr} = ${toParam(v)}`;
    case "!=":
      return `${expr} <> ${toParam(v)}`;
    case "<":
    case "<=":
    case ">":
    case ">=":
      return `${expr} ${c.op} ${toParam(v)}`;
    case "LIKE":
      return `${expr} LIKE ${toParam(v)}`;
    case "ILIKE":
      return `${expr} ILIKE ${toParam(v)}`;
    case "RLIKE":
      return `${expr} ~ ${toParam(v)}`;
    case "IN":
      return `${expr} = ANY(${arrayParam(scalars(c.value))})`;
    case "NOT IN":
      return `${expr} <> ALL(${arrayParam(scalars(c.value))})`;
    case "IS NULL":
      return `${expr} IS NULL`;
    case "IS NOT NULL":
      return `${expr} IS NOT NULL`;
  }
}

function checkOp(c: Compare, allowed: Comparator[]) {
  if (!allowed.includes(c.op)) opError(c, allowed);
}

const isPattern = (op: Comparator) => op === "LIKE" || op === "ILIKE" || op === "RLIKE";

function stringPredicate(expr: string, c: Compare, params: SqlParams, normalize: (s: string) => string = (s) => s): string {
  return scalarPredicate(
    expr,
    c,
    (s) => params.add(isPattern(c.op) ? s.value : normalize(s.value), "text"),
    (items) => params.add(items.map((s) => normalize(s.value)), "text[]"),
  );
}

function numberPredicate(expr: string, c: Compare, sqlType: SqlType, params: SqlParams): string {
  if (c.op === "IN" || c.op === "NOT IN") {
    const items = scalars(c.value);
    for (const s of items) if (!Number.isFinite(Number(s.value)) || s.value.trim() === "") valueError(c, `Expected a number for ${c.field.text}, found '${s.value}'`);
    const allInt = items.every((s) => isInteger(s.value.trim()));
    const arrType = sqlType === "float8" || sqlType === "numeric" ? sqlType : allInt ? "bigint" : "numeric";
    return scalarPredicate(expr, c, () => "", () => params.add(items.map((s) => s.value.trim()), `${arrType}[]`));
  }
  return scalarPredicate(expr, c, (s) => numberParam(c, s, sqlType, params), () => "");
}

// ---------------------------------------------------------------------------------------------- traces

function attributeField(ref: FieldRef): TraceField {
  const f = findTraceField(ref.key);
  if (!f) fieldError(ref, `Invalid attribute key '${ref.key}'`);
  return f;
}

/** Fields stored as metadata but denormalized into an indexed column. */
function metadataColumnField(key: string): TraceField | undefined {
  const attr = METADATA_COLUMNS[key];
  return attr ? findTraceField(attr) : undefined;
}

function compileAttribute(c: Compare, f: TraceField, params: SqlParams, ctx: TraceFilterContext): string {
  checkOp(c, f.comparators);
  if (f.key === "run_id") return compileRunId(c, params);
  if (f.key === "text") return compileText(c, params, ctx);
  const expr = f.sql!;
  if (f.type === "number") return numberPredicate(expr, c, f.sqlType, params);
  if (f.type === "enum") {
    // v2 clients spell the unknown state TRACE_STATUS_UNSPECIFIED
    return stringPredicate(expr, c, params, (s) => (s.toUpperCase() === "TRACE_STATUS_UNSPECIFIED" ? "STATE_UNSPECIFIED" : s.toUpperCase()));
  }
  return stringPredicate(expr, c, params);
}

function compileRunId(c: Compare, params: SqlParams): string {
  const match = (ids: string[]) => {
    const meta = ids.map((id) => `t.trace_metadata @> ${params.add(JSON.stringify({ "mlflow.sourceRun": id }), "jsonb")}`);
    const link = `EXISTS (SELECT 1 FROM trace_run_links l WHERE l.trace_id = t.trace_id AND l.run_id = ANY(${params.add(ids, "text[]")}))`;
    return `(${[...meta, link].join(" OR ")})`;
  };
  const ids = scalars(c.value).map((s) => s.value);
  switch (c.op) {
    case "=":
    case "IN":
      return match(ids);
    case "!=":
    case "NOT IN":
      return `NOT ${match(ids)}`;
    case "IS NULL":
      return `(NOT (t.trace_metadata ? 'mlflow.sourceRun') AND NOT EXISTS (SELECT 1 FROM trace_run_links l WHERE l.trace_id = t.trace_id))`;
    default:
      return `((t.trace_metadata ? 'mlflow.sourceRun') OR EXISTS (SELECT 1 FROM trace_run_links l WHERE l.trace_id = t.trace_id))`;
  }
}

/** JSON text escapes non-ASCII as \uXXXX when written by some clients (Python's json.dumps default); the
 *  escaped spelling of a pattern, as a LIKE pattern (backslashes doubled), or null when it is all ASCII. */
export function jsonEscapedPattern(pattern: string): string | null {
  if (!/[^\x00-\x7f]/.test(pattern)) return null;
  let out = "";
  for (const ch of pattern) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch;
    else {
      const units = cp > 0xffff ? [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)] : [cp];
      out += units.map((u) => "\\\\u" + u.toString(16).padStart(4, "0")).join("");
    }
  }
  return out;
}

/** ILIKE is several times slower than LIKE; patterns without cased letters (CJK, Arabic, digits…) mean
 *  the same under both. */
export function needsCaseFolding(pattern: string): boolean {
  return pattern.toLowerCase() !== pattern.toUpperCase();
}

// When the planner turns a span subquery into one scan of `spans` (hashed subplan or semi-join) instead
// of a probe per trace, the restated experiment bound makes that scan skip other experiments' spans
// before evaluating any pattern.
const spanBound = (ctx: TraceFilterContext) => (ctx.spanExperimentCondition ? `${ctx.spanExperimentCondition()} AND ` : "");

function compileText(c: Compare, params: SqlParams, ctx: TraceFilterContext): string {
  const [v] = scalars(c.value);
  const op = c.op === "ILIKE" && needsCaseFolding(v.value) ? "ILIKE" : "LIKE";
  // ILIKE lower()s the whole text first; under a UTF-8 libc collation that costs 4x the C collation's
  // ASCII folding. An ASCII pattern only needs ASCII folding.
  const c8 = op === "ILIKE" && /^[\x00-\x7f]*$/.test(v.value) ? ` COLLATE "C"` : "";
  const p = params.add(v.value, "text");
  const escaped = jsonEscapedPattern(v.value);
  const e = escaped ? params.add(escaped, "text") : null;
  // span inputs/outputs are JSON text and may spell non-ASCII as \uXXXX; attributes are jsonb, whose text
  // form is never escaped
  const json = (col: string) => (e ? `(${col} ${op} ${p} OR ${col} ${op} ${e})` : `${col}${c8} ${op} ${p}`);
  return (
    `(t.request_preview${c8} ${op} ${p} OR t.response_preview${c8} ${op} ${p} OR EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND ${spanBound(ctx)}` +
    `(s.name${c8} ${op} ${p} OR ${json("s.inputs")} OR ${json("s.outputs")} OR s.attributes::text${c8} ${op} ${p})))`
  );
}

function compileKeyValue(c: Compare, column: "t.tags" | "t.trace_metadata", params: SqlParams): string {
  const key = c.field.key;
  const family = findFilterFamily(c.field.prefix)!;
  checkOp(c, family.comparators);
  const k = () => params.add(key, "text");
  const contains = (value: string) => `${column} @> ${params.add(JSON.stringify({ [key]: value }), "jsonb")}`;
  switch (c.op) {
    // containment (@>) is what the jsonb_path_ops GIN index answers
    case "=":
      return contains(scalars(c.value)[0].value);
    case "IN":
      return `(${scalars(c.value).map((s) => contains(s.value)).join(" OR ")})`;
    case "IS NULL":
      return `NOT (${column} ? ${k()})`;
    case "IS NOT NULL":
      return `${column} ? ${k()}`;
    default:
      return stringPredicate(`(${column} ->> ${k()})`, c, params);
  }
}

function compileSpan(c: Compare, params: SqlParams, ctx: TraceFilterContext): string {
  const key = c.field.key;
  let expr: string;
  let allowed: Comparator[];
  let normalize = (s: string) => s;
  const dot = key.indexOf(".");
  const head = (dot < 0 ? key : key.slice(0, dot)).toLowerCase();
  if (head === "attributes" || head === "attribute") {
    if (dot < 0 || key.length === dot + 1) fieldError(c.field, `Expected span.attributes.<key>, found '${c.field.text}'`);
    expr = `(s.attributes ->> ${params.add(key.slice(dot + 1), "text")})`;
    allowed = findFilterFamily("span")!.comparators;
  } else if (dot < 0 && SPAN_FIELDS[head]) {
    expr = SPAN_FIELDS[head].sql;
    allowed = SPAN_FIELDS[head].comparators;
    if (head === "status") normalize = (s) => s.toUpperCase().replace(/^STATUS_CODE_/, "");
  } else {
    fieldError(c.field, `Invalid span field '${key}' (expected name, type, status or attributes.<key>)`);
  }
  checkOp(c, allowed);
  return `EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND ${spanBound(ctx)}${stringPredicate(expr, c, params, normalize)})`;
}

function compileAssessment(c: Compare, kind: "feedback" | "expectation", params: SqlParams): string {
  const family = findFilterFamily(kind)!;
  checkOp(c, family.comparators);
  const base = `SELECT 1 FROM assessments a WHERE a.trace_id = t.trace_id AND a.kind = '${kind}' AND a.name = ${params.add(c.field.key, "text")} AND a.valid`;
  if (c.op === "IS NULL") return `NOT EXISTS (${base})`;
  if (c.op === "IS NOT NULL") return `EXISTS (${base})`;
  // a JSON string compares by its content ('yes', not '"yes"'); other JSON by its text (true, 0.9)
  const text = `COALESCE(a.value #>> '{}', a.serialized_value ->> 'value')`;
  const num = `(CASE WHEN jsonb_typeof(a.value) = 'number' THEN (a.value)::numeric END)`;
  const [v] = scalars(c.value);
  let pred: string;
  if (["<", "<=", ">", ">="].includes(c.op)) {
    pred = numberPredicate(num, c, "numeric", params);
  } else if ((c.op === "=" || c.op === "!=") && v.kind === "number") {
    const sqlOp = c.op === "=" ? "=" : "<>";
    pred = `COALESCE(${num} ${sqlOp} ${params.add(v.value, "numeric")}, ${text} ${sqlOp} ${params.add(v.value, "text")})`;
  } else {
    pred = stringPredicate(text, c, params);
  }
  return `EXISTS (${base} AND ${pred})`;
}

function compilePrompt(c: Compare, params: SqlParams): string {
  checkOp(c, ["="]);
  const [v] = scalars(c.value);
  const slash = v.value.lastIndexOf("/");
  if (slash <= 0 || slash === v.value.length - 1) valueError(c, `Expected a prompt written "name/version", found '${v.value}'`);
  const name = v.value.slice(0, slash);
  const version = v.value.slice(slash + 1);
  const variants: unknown[] = [[{ name, version }]];
  if (/^\d+$/.test(version)) variants.push([{ name, version: Number(version) }]);
  const linked = `(CASE WHEN t.tags ? 'mlflow.linkedPrompts' THEN (t.tags ->> 'mlflow.linkedPrompts')::jsonb END)`;
  return `(${variants.map((x) => `${linked} @> ${params.add(JSON.stringify(x), "jsonb")}`).join(" OR ")})`;
}

function compileTraceCompare(c: Compare, params: SqlParams, ctx: TraceFilterContext): string {
  const { prefix, key } = c.field;
  switch (prefix) {
    case "attribute":
      return compileAttribute(c, attributeField(c.field), params, ctx);
    case "metadata": {
      const col = metadataColumnField(key);
      return col ? compileAttribute(c, col, params, ctx) : compileKeyValue(c, "t.trace_metadata", params);
    }
    case "tag":
      return compileKeyValue(c, "t.tags", params);
    case "span":
      return compileSpan(c, params, ctx);
    case "feedback":
    case "expectation":
      return compileAssessment(c, prefix, params);
    case "prompt":
      if (key !== "") fieldError(c.field, `'prompt' takes no key; write prompt = "name/version"`);
      return compilePrompt(c, params);
  }
}

export interface TraceFilterContext {
  /** the experiment bound restated over `spans s` (same placeholders), for span-scanning subqueries */
  spanExperimentCondition?: () => string;
}

/** A boolean SQL expression over `traces t` ("TRUE" for an empty filter). */
export function compileTraceFilter(ast: FilterAst, params: SqlParams, ctx: TraceFilterContext = {}): string {
  return compileTree(ast, (c) => compileTraceCompare(c, params, ctx));
}

/** Throws the INVALID_PARAMETER_VALUE a search with this filter / order_by would (for UIs validating as
 *  the user types); does not touch the database. */
export function validateTraceSearch(filter: string, orderBy?: string[]): void {
  const params = new SqlParams();
  compileTraceFilter(parseFilter(filter), params);
  compileTraceOrderBy(orderBy, params);
}

/** Resolves order_by items to sort keys and appends the tie-breakers of spec §5.7
 *  (timestamp_ms DESC unless given, then request_id ASC). */
export function compileTraceOrderBy(orderBy: string[] | undefined, params: SqlParams): SortKey[] {
  const keys: SortKey[] = [];
  (orderBy ?? []).forEach((item, index) => {
    if (typeof item !== "string") throw invalidParameter(`Invalid order_by item ${index + 1}: expected a string`);
    const { field, descending } = withItem(index, () => parseOrderBy(item));
    const where = `in order_by item ${index + 1} at column ${field.column}`;
    let key: SortKey;
    const attr = (f: TraceField): SortKey => {
      if (!f.sortable || !f.sql) throw invalidParameter(`Cannot sort by '${field.text}' ${where}`);
      return { id: `attr:${f.key}`, sql: f.sql, sqlType: f.sqlType, descending, nullable: f.nullable };
    };
    if (field.prefix === "attribute") {
      const f = findTraceField(field.key);
      if (!f) throw invalidParameter(`Invalid order_by key '${field.text}' ${where}`);
      key = attr(f);
    } else if (field.prefix === "metadata" && metadataColumnField(field.key)) {
      key = attr(metadataColumnField(field.key)!);
    } else if (field.prefix === "tag" || field.prefix === "metadata") {
      const col = field.prefix === "tag" ? "t.tags" : "t.trace_metadata";
      key = { id: `${field.prefix}:${field.key}`, sql: `(${col} ->> ${params.add(field.key, "text")})`, sqlType: "text", descending, nullable: true };
    } else {
      throw invalidParameter(`Cannot sort by '${field.text}' ${where}`);
    }
    if (keys.some((k) => k.id === key.id)) throw invalidParameter(`order_by names '${field.text}' twice ${where}`);
    keys.push(key);
  });
  if (!keys.some((k) => k.id === "attr:timestamp_ms")) keys.push({ id: "attr:timestamp_ms", sql: "t.request_time", sqlType: "bigint", descending: true, nullable: false });
  if (!keys.some((k) => k.id === "attr:request_id")) keys.push({ id: "attr:request_id", sql: "t.trace_id", sqlType: "text", descending: false, nullable: false });
  return keys;
}

function withItem<T>(index: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Error && "code" in e) (e as Error).message = `${(e as Error).message} in order_by item ${index + 1}`;
    throw e;
  }
}

// ----------------------------------------------------------------------------------------- experiments

function compileExperimentCompare(c: Compare, params: SqlParams): string {
  if (c.field.prefix === "attribute") {
    const f = findExperimentField(c.field.key);
    if (!f) fieldError(c.field, `Invalid attribute key '${c.field.key}' (expected name, creation_time or last_update_time)`);
    checkOp(c, f.comparators);
    return f.type === "number" ? numberPredicate(f.sql, c, f.sqlType, params) : stringPredicate(f.sql, c, params);
  }
  if (c.field.prefix === "tag") {
    const allowed: Comparator[] = ["=", "!=", "LIKE", "ILIKE", "RLIKE", "IN", "NOT IN", "IS NULL", "IS NOT NULL"];
    checkOp(c, allowed);
    const base = `SELECT 1 FROM experiment_tags et WHERE et.experiment_id = e.experiment_id AND et.key = ${params.add(c.field.key, "text")}`;
    if (c.op === "IS NULL") return `NOT EXISTS (${base})`;
    if (c.op === "IS NOT NULL") return `EXISTS (${base})`;
    return `EXISTS (${base} AND ${stringPredicate("et.value", c, params)})`;
  }
  fieldError(c.field, `Invalid search expression type '${c.field.text.split(".")[0]}' for experiments (expected an attribute or tags.<key>)`);
}

/** A boolean SQL expression over `experiments e`. */
export function compileExperimentFilter(ast: FilterAst, params: SqlParams): string {
  return compileTree(ast, (c) => compileExperimentCompare(c, params));
}

/** order_by for experiments (spec §2.2); experiment_id ASC is always the last tie-breaker. */
export function compileExperimentOrderBy(orderBy: string[] | undefined): SortKey[] {
  const keys: SortKey[] = [];
  const items = orderBy && orderBy.length ? orderBy : ["creation_time DESC"];
  items.forEach((item, index) => {
    if (typeof item !== "string") throw invalidParameter(`Invalid order_by item ${index + 1}: expected a string`);
    const { field, descending } = withItem(index, () => parseOrderBy(item));
    const where = `in order_by item ${index + 1} at column ${field.column}`;
    const f = field.prefix === "attribute" ? findExperimentField(field.key) : undefined;
    if (!f || !f.sortable) throw invalidParameter(`Invalid order_by key '${field.text}' (expected name, experiment_id, creation_time or last_update_time) ${where}`);
    if (keys.some((k) => k.id === f.key)) throw invalidParameter(`order_by names '${field.text}' twice ${where}`);
    keys.push({ id: f.key, sql: f.sql, sqlType: f.sqlType, descending, nullable: false });
  });
  if (!keys.some((k) => k.id === "experiment_id")) keys.push({ id: "experiment_id", sql: "e.experiment_id", sqlType: "bigint", descending: false, nullable: false });
  return keys;
}
