// POST /v1/traces straight on node:http, ahead of Next (lib/server/serve.ts): the MLflow Python client
// blocks the user's code on every span it exports, one request per span, so per-request overhead is
// latency the user feels. Same lib function as the Next route (app/v1/traces/route.ts), same answers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { authorize } from "../auth/guard";
import { EXPERIMENT_HEADER, maxOtlpBodyBytes, otlpErrorResult, otlpTooLarge, processOtlpTraces, type OtlpHttpResult } from "./otlp-http";
import { decodeInWorker, useOtlpWorker } from "./otlp-workers";
import { readNodeBody } from "../server/node-body";

export function isOtlpTracesRequest(req: IncomingMessage): boolean {
  if (req.method !== "POST" || !req.url) return false;
  return req.url === "/v1/traces" || req.url.startsWith("/v1/traces?");
}

function send(res: ServerResponse, r: OtlpHttpResult) {
  const body = typeof r.body === "string" ? Buffer.from(r.body) : r.body;
  res.writeHead(r.status, { ...r.headers, "content-type": r.contentType, "content-length": body.length });
  res.end(body);
}

export async function serveOtlpTraces(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const host = req.headers.host ?? "localhost";
  const url = new URL(req.url ?? "/v1/traces", `http://${host}`);
  let body: Buffer;
  try {
    body = await readNodeBody(req, maxOtlpBodyBytes(), (limit) => otlpTooLarge(limit, "body"));
  } catch (err) {
    // readNodeBody reads the rest of an oversized body into the void, so a client still sending it gets the
    // 413 instead of a broken pipe (closing the connection here did that: its write failed with EPIPE)
    send(res, otlpErrorResult(err));
    return;
  }
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : (v ?? null);
  };
  const result = await processOtlpTraces({
    body,
    contentType: header("content-type"),
    contentEncoding: header("content-encoding"),
    experimentHeader: header(EXPERIMENT_HEADER),
    experimentQuery: url.searchParams.get("experiment_id"),
    authorize: (experimentId) => authorize({ headers: req.headers, method: "POST", url: req.url }, { kind: "experiment", level: "EDIT", experimentId }),
    decode: useOtlpWorker(body.length) ? decodeInWorker : undefined,
  });
  send(res, result);
}
