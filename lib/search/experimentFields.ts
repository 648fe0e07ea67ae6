// The fields of experiment search (spec §2.2): attributes and `tags.<key>`; compile.ts builds the SQL.
import type { Comparator, SqlType } from "./fields";

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
