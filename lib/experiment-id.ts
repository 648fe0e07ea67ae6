// What an experiment id is, in one place: the decimal text of a positive int64 (the experiments table's
// bigint key). Every door that takes one (REST routes, OTLP routing, permissions, pages) checks it here,
// so a 19-digit id is not an id at one door and a database error at the next.
import { INT64_MAX } from "./input-limits";

/** The digits of an experiment id, for patterns that capture one inside a longer path. */
export const EXPERIMENT_ID_DIGITS = "\\d{1,19}";

const EXPERIMENT_ID = new RegExp(`^${EXPERIMENT_ID_DIGITS}$`);

/** The experiment id as a bigint ("007" and 7 are 7n), or null when the text names no experiment. */
export function parseExperimentId(id: string | number | bigint): bigint | null {
  const s = String(id).trim();
  if (!EXPERIMENT_ID.test(s)) return null;
  const n = BigInt(s);
  return n <= INT64_MAX ? n : null;
}

export function isExperimentId(id: string | number | bigint): boolean {
  return parseExperimentId(id) !== null;
}
