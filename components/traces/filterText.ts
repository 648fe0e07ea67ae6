// Quick filters edit the search box text (the MLflow filter grammar), so the box stays the one source of
// truth and what a user sees is what is searched and shared in the URL. Values are written and read with
// the grammar's own literal rules (lib/search/parse.ts), so what a quick filter shows is what is searched.
import type { FilterUiField } from "@/lib/search/fields";
import { parseFilter, quoteFilterValue } from "@/lib/search/parse";

/** Splits at top-level AND (outside quotes, backticks and parentheses). */
export function splitAnd(filter: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (quote) {
      // the grammar's escaped quote (`\'`) does not end the string
      if (c === "\\" && filter[i + 1] === quote) i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && /\s/.test(c)) {
      const m = /^\s+AND\s+/i.exec(filter.slice(i));
      if (m) {
        parts.push(filter.slice(start, i).trim());
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  parts.push(filter.slice(start).trim());
  return parts.filter(Boolean);
}

export const quote = quoteFilterValue;

/** The identifier a clause compares, normalized: "trace.status = 'OK'" → "status". */
function clauseField(clause: string): string {
  const m = /^\s*((?:[\w$]+|`[^`]*`|"[^"]*")(?:\.(?:[\w$]+|`[^`]*`|"[^"]*"))*)/.exec(clause);
  if (!m) return "";
  return m[1].replace(/[`"]/g, "").toLowerCase().replace(/^(trace|attribute|attributes|attr)\./, "");
}

/** Replaces every top-level clause on `field` (normalized form, e.g. "status", "span.type") with `clause`. */
export function setClause(filter: string, field: string, clause: string | null): string {
  const f = field.toLowerCase();
  const kept = splitAnd(filter).filter((c) => clauseField(c) !== f);
  if (clause) kept.push(clause);
  return kept.join(" AND ");
}

/** The value of a `field = 'value'` clause, if the filter has exactly that form. */
export function clauseValue(filter: string, field: string): string | null {
  const f = field.toLowerCase();
  for (const c of splitAnd(filter)) {
    if (clauseField(c) !== f) continue;
    const value = equalsValue(c);
    if (value !== null) return value;
  }
  return null;
}

/** The string compared by a lone `field = '…'` clause, as the search reads it; null for anything else. */
function equalsValue(clause: string): string | null {
  try {
    const ast = parseFilter(clause);
    return ast.kind === "compare" && ast.op === "=" && ast.value.kind === "string" ? ast.value.value : null;
  } catch {
    return null;
  }
}

/** "… at column 17" → 17 */
export function errorColumn(message: string): number | null {
  const m = /column (\d+)/i.exec(message);
  return m ? Number(m[1]) : null;
}

export const sessionClause = (id: string) => `metadata.\`mlflow.trace.session\` = ${quote(id)}`;

/** The clause an "Add filter" entry writes for `value` (and `key`, for a keyed family such as tags), with
 *  the field whose clause it replaces. */
export function filterUiClause(f: FilterUiField, value: string, key = ""): { field: string; clause: string } {
  const field = f.keyed ? `${f.clauseField}.${key}` : f.clauseField;
  const ref = f.keyed ? `${f.ref}.\`${key}\`` : f.ref;
  return { field, clause: f.op === "contains" ? `${ref} ILIKE ${quote(`%${value}%`)}` : `${ref} = ${quote(value)}` };
}
