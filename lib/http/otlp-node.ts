// POST /v1/traces straight on node:http, ahead of Next (lib/server/serve.ts): the MLflow Python client
// blocks the user's code on every span it exports, one request per span, so per-request overhead is
// latency the user feels. The same core as the Next route (app/v1/traces/route.ts), same answers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { maxOtlpBodyBytes, otlpTooLarge } from "../tracing/otlp-groups";
import { decodeInWorker, useOtlpWorker } from "../tracing/otlp-workers";
import { readNodeBody } from "./body";
import { writeSmallAnswer } from "./exchange";
import { handleOtlpTraces, otlpErrorAnswer } from "./otlp";

export function isOtlpTracesRequest(req: IncomingMessage): boolean {
  if (req.method !== "POST" || !req.url) return false;
  return req.url === "/v1/traces" || req.url.startsWith("/v1/traces?");
}

// OTLP answers are small protobuf or JSON documents, never worth compressing: written as they are
const send = writeSmallAnswer;

export async function serveOtlpTraces(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    body = await readNodeBody(req, maxOtlpBodyBytes(), (limit) => otlpTooLarge(limit, "body"));
  } catch (err) {
    // readNodeBody reads the rest of an oversized body into the void, so a client still sending it gets the
    // 413 instead of a broken pipe (closing the connection here did that: its write failed with EPIPE)
    send(res, otlpErrorAnswer(err));
    return;
  }
  const request = { method: "POST", url: req.url ?? "/v1/traces", headers: req.headers, body };
  send(res, await handleOtlpTraces(request, useOtlpWorker(body.length) ? decodeInWorker : undefined));
}
