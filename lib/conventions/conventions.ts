// The one ordered list of conventions: for every piece (span type, inputs, outputs, tokens, model, provider,
// session, user, chat messages) the first convention that has an answer wins. MLflow's own keys come first
// so spans from the MLflow SDKs pass through unchanged; the rest follow how specific their keys are
// (gen_ai.* is the standard others also emit, Vercel's ai.* keys are the most generic names).
import type { Attrs } from "./attrs";
import type { Convention } from "./Convention";
import { genAiSemconv } from "./genAiSemconv";
import { langfuse } from "./langfuse";
import { mlflow } from "./mlflow";
import { openInference } from "./openInference";
import { traceloop } from "./traceloop";
import { vercelAi } from "./vercelAi";

export const conventions: readonly Convention[] = [mlflow, genAiSemconv, openInference, traceloop, langfuse, vercelAi];

/** The first answer of the conventions, in priority order. */
export function firstOf<T>(read: (c: Convention) => T | undefined): T | undefined {
  for (const c of conventions) {
    const v = read(c);
    if (v !== undefined) return v;
  }
  return undefined;
}

const keysOf = (pick: (c: Convention) => readonly string[] | undefined) => conventions.flatMap((c) => pick(c) ?? []);

// Flattened once: the hot path walks one array instead of asking every convention.
export const MODEL_KEYS = keysOf((c) => c.modelKeys);
export const PROVIDER_KEYS = keysOf((c) => c.providerKeys);
export const SESSION_KEYS = keysOf((c) => c.sessionKeys);
export const USER_KEYS = keysOf((c) => c.userKeys);

/** The first non-empty string among `keys` (numbers too when `scalars`: ids are often numeric). */
export function firstString(a: Attrs, keys: readonly string[], scalars = false): string | undefined {
  for (const k of keys) {
    const v = a[k];
    if (typeof v === "string" && v !== "") return v;
    if (scalars && (typeof v === "number" || typeof v === "bigint")) return String(v);
  }
  return undefined;
}
