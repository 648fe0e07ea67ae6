import assert from "node:assert/strict";
import { test } from "node:test";
import zlib from "node:zlib";
import { ApiError } from "../errors";
import { emptyOtlpResponse, readBodyCapped } from "../http/otlp";
import { decompressBody, maxOtlpBodyBytes } from "./otlp-groups";
import { decodeAttributeString } from "./values";

const data = Buffer.from("x".repeat(10_000));

test("decompressBody: gzip, zlib and raw deflate, identity; caps decompressed size", async () => {
  assert.deepEqual(Buffer.from(await decompressBody(zlib.gzipSync(data), "gzip", 20_000)), data);
  assert.deepEqual(Buffer.from(await decompressBody(zlib.deflateSync(data), "deflate", 20_000)), data);
  assert.deepEqual(Buffer.from(await decompressBody(zlib.deflateRawSync(data), "deflate", 20_000)), data);
  assert.deepEqual(Buffer.from(await decompressBody(data, "identity", 20_000)), data);
  assert.deepEqual(Buffer.from(await decompressBody(data, null, 20_000)), data);
  await assert.rejects(decompressBody(zlib.gzipSync(data), "gzip", 9_999), (e: ApiError) => e.status === 413 && /decompressed body exceeds 9999 bytes/.test(e.message));
  await assert.rejects(decompressBody(zlib.deflateSync(data), "deflate", 9_999), (e: ApiError) => e.status === 413);
  await assert.rejects(decompressBody(data, "identity", 9_999), (e: ApiError) => e.status === 413);
  await assert.rejects(decompressBody(Buffer.from("nope"), "gzip", 9_999), (e: ApiError) => e.status === 400 && /does not decompress/.test(e.message));
  await assert.rejects(decompressBody(data, "zstd", 20_000), (e: ApiError) => e.status === 415);
});

test("readBodyCapped stops at the cap; FLOWTRACE_OTLP_MAX_BODY_BYTES sets it", async () => {
  const stream = () => new Blob([data, data]).stream();
  assert.equal((await readBodyCapped(stream(), 20_000)).length, 20_000);
  await assert.rejects(readBodyCapped(stream(), 19_999), (e: ApiError) => e.status === 413);
  const before = process.env.FLOWTRACE_OTLP_MAX_BODY_BYTES;
  process.env.FLOWTRACE_OTLP_MAX_BODY_BYTES = "1234";
  assert.equal(maxOtlpBodyBytes(), 1234);
  process.env.FLOWTRACE_OTLP_MAX_BODY_BYTES = "junk";
  assert.equal(maxOtlpBodyBytes(), 64 * 1024 * 1024);
  if (before === undefined) delete process.env.FLOWTRACE_OTLP_MAX_BODY_BYTES;
  else process.env.FLOWTRACE_OTLP_MAX_BODY_BYTES = before;
});

test("empty responses for metrics and logs follow the request encoding", () => {
  assert.deepEqual(emptyOtlpResponse("application/json"), { status: 200, contentType: "application/json", body: "{}" });
  assert.equal(emptyOtlpResponse("application/x-protobuf").contentType, "application/x-protobuf");
});

test("attribute strings: JSON text decoded once, raw strings kept, big integers exact", () => {
  const cases: [string, unknown][] = [
    ['"LLM"', "LLM"],
    ["LLM", "LLM"],
    ['{"a": [1, 2]}', { a: [1, 2] }],
    ["{not json", "{not json"],
    ["20", 20],
    ["-1.5e3", -1500],
    ["12345678901234567890", "12345678901234567890"],
    ["2024-01-01", "2024-01-01"],
    ["true", true],
    ["null", null],
    ["nothing", "nothing"],
    ["", ""],
  ];
  for (const [input, want] of cases) assert.deepEqual(decodeAttributeString(input), want, input);
});
