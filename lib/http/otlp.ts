// POST /v1/traces (and the accept-and-ignore /v1/metrics, /v1/logs) as plain data (lib/http/exchange.ts): the
// node:http adapter (lib/http/otlp-node.ts) and the Next route (app/v1/traces) both read the body into bytes
// and call handleOtlpTraces. Body limits apply to the bytes received and, separately, to the decompressed size
// (lib/tracing/otlp-groups.ts).
import { AccessDenied, authEnabled, authorize } from "../auth/guard";
import { getPool } from "../db";
import { ApiError } from "../errors";
import { parseExperimentId } from "../experiment-id";
import { ingestPrepared, ingestSpans } from "../store/ingest";
import type { NormalizedSpan } from "../tracing/model";
import { encodeExportResponse, otlpEncodingOf, type OtlpEncoding } from "../tracing/otlp";
import { decodeOtlpGroups, maxOtlpBodyBytes, otlpTooLarge, type DecodedGroups, type DecodeInput } from "../tracing/otlp-groups";
import { readStreamCapped } from "./body";
import { errorAnswer, headerValue, HttpAnswer, type HttpRequest } from "./exchange";
import { serveWeb } from "./web";

export const EXPERIMENT_HEADER = "x-mlflow-experiment-id";

export function otlpErrorAnswer(err: unknown): HttpAnswer {
  // the database unreachable → 503 + Retry-After: OTLP exporters retry 429/502/503/504 and drop the batch on
  // any other status, so a 500 here lost every span sent while PostgreSQL restarted (issue #14)
  return errorAnswer(err, "/v1/traces");
}

const bodyTooLarge = (limit: number) => otlpTooLarge(limit, "body");

/** Reads a web stream into one buffer, failing with 413 as soon as `limit` bytes are exceeded. */
export function readBodyCapped(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  return readStreamCapped(stream, limit, bodyTooLarge);
}

export interface OtlpTracesRequest {
  /** raw body bytes as received (possibly compressed) */
  body: Uint8Array;
  contentType: string | null;
  contentEncoding: string | null;
  /** x-mlflow-experiment-id header */
  experimentHeader: string | null;
  /** ?experiment_id= */
  experimentQuery: string | null;
  /**
   * throws AccessDenied when the caller may not write to the experiment. With --auth it is also asked for
   * the experiment that owns each existing trace the request writes to (see foreignTraces).
   */
  authorize(experimentId: string): Promise<void>;
  /** runs decodeOtlpGroups elsewhere (a worker thread, lib/tracing/otlp-workers.ts); in this thread if absent */
  decode?: (input: DecodeInput) => Promise<DecodedGroups>;
}

const canonicalExperiment = (e: string) => parseExperimentId(e)?.toString() ?? e;

/**
 * With --auth: the traces of this request that already exist in an experiment the caller may not EDIT,
 * with that experiment. Spans always join their trace's experiment (flowtrace_upsert_traces), so a request
 * authorized for experiment R that names an existing trace of V writes into V: it must be authorized
 * against V, the trace's owner, not the header's R. One `trace_id = ANY($1)` query per request; only
 * experiments other than the request's own are asked again (once each). Without --auth: no query.
 */
async function foreignTraces(groups: DecodedGroups["groups"], authorize: (experimentId: string) => Promise<void>): Promise<Map<string, string>> {
  const denied = new Map<string, string>();
  if (!authEnabled()) return denied;
  const ids = new Set<string>();
  const groupOf = new Map<string, string>();
  for (const [e, g] of groups) {
    const exp = canonicalExperiment(e);
    if (Array.isArray(g)) {
      for (const s of g) {
        ids.add(s.traceId);
        groupOf.set(s.traceId, exp);
      }
    } else {
      for (const t of g.traceIds) {
        ids.add(t);
        groupOf.set(t, exp);
      }
    }
  }
  if (ids.size === 0) return denied;
  const { rows } = await getPool().query<{ trace_id: string; experiment_id: string }>(
    "SELECT trace_id, experiment_id::text AS experiment_id FROM traces WHERE trace_id = ANY($1::text[])",
    [[...ids]],
  );
  const verdict = new Map<string, boolean>();
  for (const r of rows) {
    if (groupOf.get(r.trace_id) === r.experiment_id) continue; // the request's own experiment: authorized already
    let ok = verdict.get(r.experiment_id);
    if (ok === undefined) {
      try {
        await authorize(r.experiment_id);
        ok = true;
      } catch (err) {
        if (!(err instanceof AccessDenied)) throw err;
        ok = false;
      }
      verdict.set(r.experiment_id, ok);
    }
    if (!ok) denied.set(r.trace_id, r.experiment_id);
  }
  return denied;
}

export async function processOtlpTraces(req: OtlpTracesRequest): Promise<HttpAnswer> {
  const enc: OtlpEncoding | null = otlpEncodingOf(req.contentType);
  try {
    if (!enc) {
      throw new ApiError(
        "INVALID_PARAMETER_VALUE",
        `Unsupported Content-Type '${req.contentType ?? "(none)"}' for OTLP traces: send application/x-protobuf or application/json`,
        415,
      );
    }
    const fixedExperiment = (req.experimentHeader ?? "").trim() || (req.experimentQuery ?? "").trim() || null;
    if (fixedExperiment) await req.authorize(fixedExperiment);
    const limit = maxOtlpBodyBytes();
    if (req.body.length > limit) throw otlpTooLarge(limit, "body");
    const input = { body: req.body, contentType: req.contentType, contentEncoding: req.contentEncoding, fixedExperiment };
    let decoded = req.decode ? await req.decode({ ...input, prepare: true }) : await decodeOtlpGroups({ ...input, prepare: false });
    if (!fixedExperiment) for (const [e] of decoded.groups) await req.authorize(e);
    const denied = await foreignTraces(decoded.groups, req.authorize);
    if (denied.size) {
      // Rare (a write into someone else's trace): prepared writes cannot drop spans, so decode again
      // without preparing and leave out the spans of the denied traces.
      if (decoded.groups.some(([, g]) => !Array.isArray(g))) decoded = req.decode ? await req.decode({ ...input, prepare: false }) : await decodeOtlpGroups({ ...input, prepare: false });
      let dropped = 0;
      for (const entry of decoded.groups) {
        const kept = (entry[1] as NormalizedSpan[]).filter((s) => !denied.has(s.traceId));
        dropped += (entry[1] as NormalizedSpan[]).length - kept.length;
        entry[1] = kept;
      }
      const [traceId, owner] = denied.entries().next().value as [string, string];
      decoded.rejected += dropped;
      decoded.errors.unshift(
        `${dropped} span(s) of ${denied.size} trace(s) you may not edit: trace ${traceId} belongs to experiment ${owner}, which needs EDIT permission (spans join their trace's experiment)`,
      );
    }
    for (const [experimentId, g] of decoded.groups) {
      if (!Array.isArray(g)) await ingestPrepared(experimentId, g);
      else if (g.length || fixedExperiment) await ingestSpans(experimentId, g);
    }
    const message = decoded.rejected ? `${decoded.rejected} span(s) rejected: ${decoded.errors.join("; ")}` : "";
    const r = encodeExportResponse(enc, decoded.rejected, message);
    return new HttpAnswer(200, { "content-type": r.contentType }, r.body);
  } catch (err) {
    return otlpErrorAnswer(err);
  }
}

/**
 * POST /v1/traces as plain data, for both adapters (lib/http/otlp-node.ts, app/v1/traces): the body has
 * been read within maxOtlpBodyBytes; `decode` moves decoding to a worker thread.
 */
export function handleOtlpTraces(req: HttpRequest, decode?: OtlpTracesRequest["decode"]): Promise<HttpAnswer> {
  const q = req.url.indexOf("?");
  return processOtlpTraces({
    body: req.body ?? new Uint8Array(0),
    contentType: headerValue(req.headers, "content-type"),
    contentEncoding: headerValue(req.headers, "content-encoding"),
    experimentHeader: headerValue(req.headers, EXPERIMENT_HEADER),
    experimentQuery: q < 0 ? null : new URLSearchParams(req.url.slice(q + 1)).get("experiment_id"),
    authorize: (experimentId) => authorize(req, { kind: "experiment", level: "EDIT", experimentId }),
    decode,
  });
}

/** /v1/traces as a Next route handler. */
export function handleOtlpTracesRequest(request: Request): Promise<Response> {
  return serveWeb(request, maxOtlpBodyBytes(), bodyTooLarge, (req) => handleOtlpTraces(req), otlpErrorAnswer);
}

/**
 * /v1/metrics and /v1/logs as Next route handlers: collectors send them alongside traces, and a 404/405 breaks
 * their pipelines. The body is read to its end (so the connection stays usable) without being kept.
 */
export async function acceptAndDropOtlp(request: Request): Promise<Response> {
  try {
    const reader = request.body?.getReader();
    if (reader) while (!(await reader.read()).done);
  } catch {
    /* a client gone mid-body: nobody reads the answer */
  }
  const r = emptyOtlpResponse(request.headers.get("content-type"));
  return new Response(r.body as BodyInit, { status: r.status, headers: { "content-type": r.contentType } });
}

/** /v1/metrics and /v1/logs: accepted and dropped, answered with an empty Export*ServiceResponse. */
export function emptyOtlpResponse(contentType: string | null): { status: number; contentType: string; body: string | Uint8Array } {
  const enc = otlpEncodingOf(contentType) ?? "protobuf";
  return enc === "json"
    ? { status: 200, contentType: "application/json", body: "{}" }
    : { status: 200, contentType: "application/x-protobuf", body: new Uint8Array(0) };
}
