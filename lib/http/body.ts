// The capped body readers of the HTTP core, one per transport: node:http's stream (lib/http/node.ts) and a
// web stream (Next's route handlers, lib/http/web.ts). Both refuse more than the limit as soon as it is
// exceeded, without buffering the rest.
import type { IncomingMessage } from "node:http";
import { ApiError } from "../errors";

/** Reads a web stream whole, refusing a declared or actual size over `limit` with `tooLarge`. */
export async function readStreamCapped(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  tooLarge: (limit: number) => Error,
  declaredLength?: string | null,
): Promise<Uint8Array> {
  const declared = Number(declaredLength ?? undefined);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/**
 * The whole body of a node:http request. More than `limit` bytes is refused with `tooLarge` as soon as it is exceeded, without
 * buffering the rest: that is read into the void, so the 413 reaches the client on a connection that stays
 * usable. A client that goes away mid-body gets CANCELLED.
 */
export function readNodeBody(req: IncomingMessage, limit: number, tooLarge: (limit: number) => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = () => {
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("close", onGone);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        finish();
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (settled) return;
      finish();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onGone = () => {
      if (settled || req.complete) return;
      finish();
      reject(new ApiError("CANCELLED", "The client closed the connection before sending the whole request body."));
    };
    req.on("data", onData);
    req.once("end", onEnd);
    req.on("error", onGone);
    req.once("close", onGone);
  });
}
