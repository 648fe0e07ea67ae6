// SQL building blocks shared by trace and experiment search: bound parameters, sort keys, keyset
// conditions and opaque page tokens. Values only ever travel as parameters; the SQL text is built from
// registry expressions and placeholders.
import { createHash } from "node:crypto";
import { ApiError, invalidParameter } from "../errors";
import type { SqlType } from "./fields";

/** A select list from `{ resultKey: expression }`; a bare column name is taken from `alias`. */
export function selectAs(alias: string, columns: Record<string, string>): string {
  return Object.entries(columns)
    .map(([key, expr]) => `${/^[a-z_]+$/.test(expr) ? `${alias}.${expr}` : expr} AS "${key}"`)
    .join(", ");
}

export class SqlParams {
  readonly values: unknown[] = [];
  /** Adds a bound value and returns its placeholder, cast when a type is given (`$3::bigint`). */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

export interface SortKey {
  /** identity used to reject a field given twice (`attr:timestamp_ms`, `tag:env`) */
  id: string;
  /** SQL expression (may contain placeholders already bound in the same SqlParams) */
  sql: string;
  sqlType: SqlType;
  descending: boolean;
  nullable: boolean;
}

export type KeyValue = string | number | null;

/** `ORDER BY` terms; missing values go last in both directions (spec §5.7). NOT NULL columns get no
 *  NULLS clause so that the order matches their btree indexes. */
export function orderByClause(keys: SortKey[]): string {
  return keys.map((k) => `${k.sql} ${k.descending ? "DESC" : "ASC"}${k.nullable ? " NULLS LAST" : ""}`).join(", ");
}

/** Rows strictly after `values` in the order of `keys` (lexicographic, nulls last). */
export function keysetCondition(keys: SortKey[], values: KeyValue[], params: SqlParams): string {
  if (values.length !== keys.length) throw invalidParameter("Invalid page_token: it does not fit this order_by");
  const placeholders = values.map((v, i) => (v === null ? null : params.add(String(v), keys[i].sqlType)));
  const eq = (i: number) => (placeholders[i] === null ? `${keys[i].sql} IS NULL` : `${keys[i].sql} = ${placeholders[i]}`);
  const after = (i: number): string | null => {
    const p = placeholders[i];
    if (p === null) return null; // nothing sorts after NULL within this key
    const cmp = `${keys[i].sql} ${keys[i].descending ? "<" : ">"} ${p}`;
    return keys[i].nullable ? `(${cmp} OR ${keys[i].sql} IS NULL)` : cmp;
  };
  const alternatives: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const a = after(i);
    if (a === null) continue;
    alternatives.push([...Array.from({ length: i }, (_, j) => eq(j)), a].join(" AND "));
  }
  const or = alternatives.length ? `(${alternatives.map((a) => `(${a})`).join(" OR ")})` : "FALSE";
  // A plain range on the leading key lets the planner start the index scan at the cursor instead of
  // filtering every earlier row.
  if (!keys[0].nullable && placeholders[0] !== null) return `${keys[0].sql} ${keys[0].descending ? "<=" : ">="} ${placeholders[0]} AND ${or}`;
  return or;
}

export function queryHash(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 16);
}

export function encodePageToken(values: KeyValue[], hash: string): string {
  return Buffer.from(JSON.stringify({ k: values, h: hash })).toString("base64url");
}

export function decodePageToken(token: string, hash: string, keyCount: number): KeyValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidParameter("Invalid page_token");
  }
  const p = parsed as { k?: unknown; h?: unknown };
  if (!p || typeof p !== "object" || !Array.isArray(p.k) || typeof p.h !== "string") throw invalidParameter("Invalid page_token");
  if (p.h !== hash) throw invalidParameter("Invalid page_token: it was issued for a different filter, order_by or experiment list");
  if (p.k.length !== keyCount || !p.k.every((v) => v === null || typeof v === "string" || typeof v === "number")) throw invalidParameter("Invalid page_token");
  return p.k as KeyValue[];
}

export function checkMaxResults(value: number | undefined, dflt: number, max: number): number {
  if (value === undefined || value === null) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidParameter(`Invalid value ${value} for parameter 'max_results': it must be between 1 and ${max}`);
  return n;
}

/** Turns database errors caused by the user's filter (bad regex, out-of-range number) into 400s. */
export function mapQueryError(err: unknown): never {
  const e = err as { code?: string; message?: string };
  if (e && typeof e.code === "string" && ["2201B", "22003", "22P02", "22023", "22025"].includes(e.code)) {
    throw invalidParameter(`Invalid filter value: ${e.message}`);
  }
  if (err instanceof ApiError) throw err;
  throw err;
}
