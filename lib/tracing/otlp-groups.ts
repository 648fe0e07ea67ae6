// The CPU-bound half of an OTLP export request, independent of HTTP: decompress within the cap (zlib's
// maxOutputLength stops inflation at it, so a decompression bomb costs at most the cap), decode, and route
// spans to experiments. Plain data in and out, so it runs in a worker thread too (lib/tracing/otlp-workers.ts).
import { promisify } from "node:util";
import zlib from "node:zlib";
import { ApiError } from "../errors";
import { MAX_SHARED_SPANS, prepareSpans, type PreparedWrite } from "../store/ingest";
import { ATTR } from "./derive";
import type { NormalizedSpan } from "./model";
import { decodeOtlpTraces } from "./otlp";

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export function maxOtlpBodyBytes(): number {
  const v = Number(process.env.FLOWTRACE_OTLP_MAX_BODY_BYTES);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : DEFAULT_MAX_BODY_BYTES;
}

export const otlpTooLarge = (limit: number, what: string) =>
  new ApiError("RESOURCE_EXHAUSTED", `OTLP request body is too large: the ${what} exceeds ${limit} bytes (FLOWTRACE_OTLP_MAX_BODY_BYTES)`, 413);

/** Content-Encoding gzip / deflate (zlib-wrapped or raw) / identity, capped at `limit` decompressed bytes. */
export async function decompressBody(body: Uint8Array, contentEncoding: string | null | undefined, limit: number): Promise<Uint8Array> {
  const enc = (contentEncoding ?? "").trim().toLowerCase();
  if (enc === "" || enc === "identity") {
    if (body.length > limit) throw otlpTooLarge(limit, "body");
    return body;
  }
  const opts = { maxOutputLength: limit };
  const fail = (err: unknown): never => {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) throw otlpTooLarge(limit, "decompressed body");
    throw new ApiError("INVALID_PARAMETER_VALUE", `Content-Encoding '${enc}': the body does not decompress (${(err as Error).message})`);
  };
  if (enc === "gzip" || enc === "x-gzip") return gunzip(body, opts).catch(fail);
  if (enc === "deflate") {
    // RFC 9110 deflate is zlib-wrapped, but some clients send raw deflate
    const first = body[0];
    const zlibWrapped = body.length >= 2 && (first & 0x0f) === 8 && ((first << 8) | body[1]) % 31 === 0;
    if (zlibWrapped) return inflate(body, opts).catch((err) => ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" ? fail(err) : inflateRaw(body, opts).catch(fail)));
    return inflateRaw(body, opts).catch(fail);
  }
  throw new ApiError("INVALID_PARAMETER_VALUE", `Unsupported Content-Encoding '${enc}': send gzip, deflate or identity`, 415);
}

export interface DecodeInput {
  body: Uint8Array;
  contentType: string | null;
  contentEncoding: string | null;
  /** the experiment of the header or query parameter; null: each span's mlflow.experimentId */
  fixedExperiment: string | null;
  /** groups bigger than MAX_SHARED_SPANS come back as prepared writes (derivation and rows done) */
  prepare: boolean;
}

export interface DecodedGroups {
  /** experiment id → its spans, or the prepared write of its spans */
  groups: [string, NormalizedSpan[] | PreparedWrite][];
  rejected: number;
  errors: string[];
}

const NO_EXPERIMENT_MESSAGE =
  "No experiment chosen for these spans: set the HTTP header 'x-mlflow-experiment-id: <experiment id>' " +
  "(e.g. OTEL_EXPORTER_OTLP_TRACES_HEADERS=x-mlflow-experiment-id=123), add '?experiment_id=<id>' to the URL, " +
  "or set the span attribute 'mlflow.experimentId'.";

function experimentOfSpan(s: NormalizedSpan): string | null {
  const v = s.attributes[ATTR.experimentId];
  if (typeof v === "string" && v.trim() !== "") return v.trim();
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  return null;
}

/**
 * The CPU-bound part of an export request: decompress, decode, route spans to experiments (header or
 * query parameter, else each span's mlflow.experimentId) and, with `prepare`, derive and serialize the
 * rows of big groups. Plain data in and out, so it can run in a worker thread.
 */
export async function decodeOtlpGroups(input: DecodeInput): Promise<DecodedGroups> {
  const limit = maxOtlpBodyBytes();
  const body = await decompressBody(input.body, input.contentEncoding, limit);
  const decoded = decodeOtlpTraces(body, input.contentType ?? "");
  let rejected = decoded.rejected;
  const errors = [...decoded.errors];
  const groups = new Map<string, NormalizedSpan[]>();
  if (input.fixedExperiment) {
    groups.set(input.fixedExperiment, decoded.spans);
  } else {
    let unrouted = 0;
    for (const s of decoded.spans) {
      const e = experimentOfSpan(s);
      if (!e) {
        unrouted++;
        continue;
      }
      let g = groups.get(e);
      if (!g) groups.set(e, (g = []));
      g.push(s);
    }
    if (groups.size === 0 && (decoded.spans.length > 0 || decoded.rejected === 0)) throw new ApiError("INVALID_PARAMETER_VALUE", NO_EXPERIMENT_MESSAGE);
    if (unrouted) {
      rejected += unrouted;
      errors.push(`${unrouted} span(s) without experiment: ${NO_EXPERIMENT_MESSAGE}`);
    }
  }
  const out: DecodedGroups["groups"] = [];
  for (const [e, spans] of groups) out.push([e, input.prepare && spans.length > MAX_SHARED_SPANS ? prepareSpans(e, spans) : spans]);
  return { groups: out, rejected, errors };
}
