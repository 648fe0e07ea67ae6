// Settings shared by the property-based fuzz tests (fast-check): a bounded number of runs so `npm test` stays
// fast, and a fixed seed on demand to reproduce a failure. fast-check prints the seed and the path of every
// counterexample it shrinks to; rerun with FLOWTRACE_FUZZ_SEED=<seed> (and FLOWTRACE_FUZZ_PATH=<path>) to replay
// it. FLOWTRACE_FUZZ_RUNS raises or lowers every suite's run count (each suite's default is a share of ~30 s).
import type { Parameters } from "fast-check";

export function fuzzParams<T>(defaultRuns: number): Parameters<T> {
  const seed = process.env.FLOWTRACE_FUZZ_SEED;
  const runs = Number(process.env.FLOWTRACE_FUZZ_RUNS);
  const path = process.env.FLOWTRACE_FUZZ_PATH;
  return {
    numRuns: Number.isFinite(runs) && runs > 0 ? Math.floor(runs) : defaultRuns,
    ...(seed !== undefined && seed !== "" ? { seed: Number(seed) } : {}),
    ...(path ? { path } : {}),
    // a counterexample should be reported, not shrunk for minutes against a live server
    endOnFailure: true,
    interruptAfterTimeLimit: 20_000,
  };
}

/** Junk text in the shapes that broke routes before: NUL, lone surrogates, huge integers, deep nesting. */
export const NASTY_STRINGS = [
  "",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff\ud800",
  "%",
  "%FF%FE",
  "%00",
  "'",
  '"',
  "`",
  "\\",
  "99999999999999999999",
  "-99999999999999999999",
  "9223372036854775808",
  "1e400",
  "NaN",
  "-0",
  "null",
  "true",
  "[]",
  "{}",
  "(".repeat(6000),
  "[".repeat(3000),
  "x".repeat(10_000),
  "__proto__",
  "constructor",
  "../../etc/passwd",
  "tr-",
  "🙂",
];
