// The Assessment message on the wire (spec §7.1) → what the store writes, and the update mask (§1.4:
// a comma-separated lowerCamelCase string, or {paths: [...]}, snake_case accepted too).
import { invalidParameter } from "../errors";
import { nulError } from "../input-limits";
import type { AssessmentField, AssessmentInput } from "../store/assessments";
import { SOURCE_TYPES } from "../store/assessments";

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function optString(o: Record<string, unknown>, key: string, field: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  throw invalidParameter(`Invalid value ${JSON.stringify(String(v))} for parameter '${field}' supplied: expected a string.`);
}

function sourceType(v: unknown): string {
  if (v === undefined || v === null || v === "") return "SOURCE_TYPE_UNSPECIFIED";
  if (typeof v === "number" && SOURCE_TYPES[v]) return SOURCE_TYPES[v];
  if (typeof v === "string" && (SOURCE_TYPES as readonly string[]).includes(v.toUpperCase())) return v.toUpperCase();
  throw invalidParameter(`Invalid value ${JSON.stringify(String(v))} for parameter 'assessment.source.source_type' supplied: expected one of ${SOURCE_TYPES.slice(0, 4).join(", ")}.`);
}

function errorObject(v: unknown, field: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw invalidParameter(`Invalid value for parameter '${field}' supplied: expected an object {error_code, error_message}.`);
  const out: Record<string, unknown> = {};
  for (const k of ["error_code", "error_message", "stack_trace"]) {
    const camel = k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    const x = v[k] ?? v[camel];
    if (x !== undefined && x !== null) out[k] = k === "stack_trace" && typeof x === "string" && x.length > 1000 ? x.slice(0, 1000) : x;
  }
  return out;
}

function metadataMap(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw invalidParameter("Invalid value for parameter 'assessment.metadata' supplied: expected a map of strings.");
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x, (_k, y) => (typeof y === "bigint" ? y.toString() : y))]));
}

/** Parses `assessment`; `partial` (updates) allows every field to be absent. */
export function parseAssessment(v: unknown, partial = false): AssessmentInput {
  if (!isObj(v)) throw invalidParameter("Missing value for required parameter 'assessment'. See the API docs for more information about request parameters.");
  const out: AssessmentInput = {};
  out.assessmentId = optString(v, "assessment_id", "assessment.assessment_id");
  out.name = optString(v, "assessment_name", "assessment.assessment_name") ?? optString(v, "name", "assessment.assessment_name");
  if (!partial && !out.name) throw invalidParameter("Missing value for required parameter 'assessment.assessment_name'. See the API docs for more information about request parameters.");
  const spanId = optString(v, "span_id", "assessment.span_id");
  if (spanId !== undefined) out.spanId = spanId || null;
  if (v.source !== undefined && v.source !== null) {
    if (!isObj(v.source)) throw invalidParameter("Invalid value for parameter 'assessment.source' supplied: expected an object {source_type, source_id}.");
    out.sourceType = sourceType(v.source.source_type);
    out.sourceId = optString(v.source, "source_id", "assessment.source.source_id") ?? null;
  }
  const hasFeedback = v.feedback !== undefined && v.feedback !== null;
  const hasExpectation = v.expectation !== undefined && v.expectation !== null;
  if (hasFeedback && hasExpectation) throw invalidParameter("An assessment cannot have both a feedback and an expectation.");
  if (hasFeedback) {
    if (!isObj(v.feedback)) throw invalidParameter("Invalid value for parameter 'assessment.feedback' supplied: expected an object {value, error}.");
    out.kind = "feedback";
    out.value = v.feedback.value ?? null;
    out.error = errorObject(v.feedback.error, "assessment.feedback.error") ?? errorObject(v.error, "assessment.error") ?? null;
    out.serializedValue = null;
  } else if (hasExpectation) {
    if (!isObj(v.expectation)) throw invalidParameter("Invalid value for parameter 'assessment.expectation' supplied: expected an object {value} or {serialized_value}.");
    out.kind = "expectation";
    const sv = v.expectation.serialized_value;
    if (sv !== undefined && sv !== null && v.expectation.value !== undefined && v.expectation.value !== null) {
      throw invalidParameter("An expectation can have either 'value' or 'serialized_value', not both.");
    }
    out.value = v.expectation.value ?? null;
    out.serializedValue = sv ?? null;
    out.error = null;
  } else if (!partial) {
    throw invalidParameter("An assessment must have either a feedback or an expectation value.");
  }
  const rationale = optString(v, "rationale", "assessment.rationale");
  if (rationale !== undefined) out.rationale = rationale;
  out.metadata = metadataMap(v.metadata);
  const overrides = optString(v, "overrides", "assessment.overrides");
  if (overrides) out.overrides = overrides;
  if (v.valid !== undefined && v.valid !== null) {
    if (typeof v.valid !== "boolean") throw invalidParameter("Invalid value for parameter 'assessment.valid' supplied: expected a boolean.");
    out.valid = v.valid;
  }
  // names and ids are looked up and stored as text, which cannot hold U+0000: refused by name (not a database error)
  for (const [field, x] of [["assessment_name", out.name], ["assessment_id", out.assessmentId], ["span_id", out.spanId], ["source.source_id", out.sourceId]] as const) {
    if (typeof x === "string" && x.includes("\u0000")) throw nulError(`assessment.${field}`);
  }
  return out;
}

const MASK_FIELDS: Record<string, AssessmentField> = {
  assessment_name: "assessment_name",
  assessmentname: "assessment_name",
  feedback: "feedback",
  expectation: "expectation",
  rationale: "rationale",
  metadata: "metadata",
  valid: "valid",
};

/** FieldMask as a string, a list, or {paths}; camelCase or snake_case. */
export function parseUpdateMask(v: unknown): AssessmentField[] {
  let paths: unknown[];
  if (typeof v === "string") paths = v.split(",");
  else if (Array.isArray(v)) paths = v;
  else if (isObj(v) && Array.isArray(v.paths)) paths = v.paths;
  else throw invalidParameter("Missing value for required parameter 'update_mask'. See the API docs for more information about request parameters.");
  const out = new Set<AssessmentField>();
  for (const p of paths) {
    const raw = String(p).trim();
    if (!raw) continue;
    // camelCase → snake_case, then drop underscores for the lookup of "assessmentName"
    const snake = raw.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
    const top = snake.split(".")[0];
    const f = MASK_FIELDS[top] ?? MASK_FIELDS[top.replace(/_/g, "")];
    if (!f) throw invalidParameter(`Invalid update_mask path '${raw}': allowed are assessment_name, feedback, expectation, rationale, metadata, valid.`);
    out.add(f);
  }
  if (!out.size) throw invalidParameter("Missing value for required parameter 'update_mask'. See the API docs for more information about request parameters.");
  return [...out];
}
