// Named, typed row specs: a row is an object with one field per column, and its spec says, per field, the
// column's name and PostgreSQL type, in the order of the table (COPY) or of the SQL function's parameters.
// The COPY text, the column list and the array parameters are all generated from the spec, so a column
// added on one side only fails to compile (the spec must name every field of the row type, with a type that
// fits the field) and ingest-rows.int.test.ts checks the order against the functions' signatures.
import { binaryTextArray, JSONB_OID, TEXT_OID } from "../pg-binary";

export type PgType = "text" | "jsonb" | "bigint" | "int" | "numeric" | "float8";

/** A text field may go into any column (pg parses it); a number field only into a numeric one. */
type PgTypeOf<V> = [V] extends [string | null] ? PgType : [V] extends [number | string | null] ? Exclude<PgType, "text" | "jsonb"> : never;

export interface Column<V> {
  readonly column: string;
  readonly pgType: PgTypeOf<V>;
}

export type RowSpec<R> = { readonly [K in keyof R]-?: Column<R[K]> };

const entries = <R>(spec: RowSpec<R>) => Object.entries(spec) as [keyof R & string, Column<unknown>][];

/** "a, b, c": the spec's columns in order, for COPY and INSERT column lists. */
export function columnList<R>(spec: RowSpec<R>): string {
  return entries(spec).map(([, c]) => c.column).join(", ");
}

/** The spec's PostgreSQL types in order (for checking a function's signature against it). */
export function pgTypes<R>(spec: RowSpec<R>): PgType[] {
  return entries(spec).map(([, c]) => c.pgType as PgType);
}

// Why binary: text and jsonb arrays in PostgreSQL's binary format skip array_in's character-by-character
// parsing on the server and node-pg's escaping on ours (lib/store/pg-binary.ts); numbers stay JS arrays.
const BINARY_OID: Partial<Record<PgType, typeof TEXT_OID | typeof JSONB_OID>> = { text: TEXT_OID, jsonb: JSONB_OID };

/** One array parameter per column, in the spec's order: the columns of `rows` for an unnest(…) in SQL. */
export function columnArrays<R>(spec: RowSpec<R>, rows: readonly R[]): unknown[] {
  return entries(spec).map(([field, c]) => {
    const values = rows.map((r) => r[field] as unknown);
    const oid = BINARY_OID[c.pgType as PgType];
    return oid === undefined ? values : binaryTextArray(values as (string | null)[], oid);
  });
}

const COPY_SPECIAL = /[\\\t\n\r]/;
function copyText(s: string): string {
  if (!COPY_SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

/** A writer of COPY text lines (the spec's columns in order; the field list is read once, not per row). */
export function copyLineOf<R>(spec: RowSpec<R>): (row: R) => string {
  const fields = Object.keys(spec) as (keyof R)[];
  return (row) => {
    let line = "";
    for (let i = 0; i < fields.length; i++) {
      const v = row[fields[i]] as string | number | null;
      line += (i ? "\t" : "") + (v === null ? "\\N" : copyText(String(v)));
    }
    return line + "\n";
  };
}

/** "$1, $2, …, $n": the parameters of a function call. */
export const placeholders = (n: number) => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(", ");
