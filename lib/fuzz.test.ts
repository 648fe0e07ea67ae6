// Property-based fuzz of the parsers every request goes through before the database (issue #14): the search
// grammar and its compiler, the lossless JSON reader and the request body parser, the OTLP decoders
// (protobuf — valid, truncated and garbled — and JSON). The property: each either answers or throws an ApiError
// with a 4xx status; anything else (a TypeError, a stack overflow, a 5xx) would be a 500 on the wire.
// Bounded run counts (FLOWTRACE_FUZZ_RUNS), reproducible with FLOWTRACE_FUZZ_SEED (lib/testing/fuzz.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ApiError } from "./errors";
import { parseJsonBody } from "./mlflow/route";
import { parseJson } from "./mlflow/json";
import { parseFilter, parseOrderBy } from "./search/parse";
import { compileExperimentFilter, compileTraceFilter, compileTraceOrderBy } from "./search/compile";
import { SqlParams } from "./search/sql";
import { decodeOtlpTraces, encodeExportRequest } from "./tracing/otlp";
import { fuzzParams, NASTY_STRINGS } from "./testing/fuzz";

/** Runs `f`; passes when it returns or throws a 4xx ApiError, fails with the input otherwise. */
function answersOrRefuses(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status >= 400 && err.status < 500) return true;
    throw err;
  }
}

const nasty = fc.constantFrom(...NASTY_STRINGS);
const junkString = fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), nasty);

// filters made of the grammar's own pieces, so the fuzz reaches the parser's and compiler's deeper branches
const FILTER_TOKENS = [
  "trace.status", "tag.env", "tags.`a b`", "metadata.`mlflow.trace.session`", "span.name", "span.type", "span.attributes.x",
  "feedback.correctness", "expectation.facts", "prompt", "attribute.timestamp_ms", "trace.execution_time_ms", "run_id",
  "trace.text", "name", "creation_time", "=", "!=", "<>", "<", ">=", "LIKE", "ILIKE", "RLIKE", "NOT", "IN", "IS", "NULL",
  "AND", "OR", "(", ")", ",", ".", "'OK'", "'%x%'", "'('", "\"q\"", "1", "-5", "1e999", "99999999999999999999", "TRUE",
  "'\u0000'", "'[a-'", "'\\\\'", "`",
];
const grammarish = fc.array(fc.constantFrom(...FILTER_TOKENS), { maxLength: 25 }).map((t) => t.join(" "));

test("fuzz: search filters and order_by parse and compile, or are refused with a 400", () => {
  fc.assert(
    fc.property(fc.oneof(grammarish, junkString), fc.array(fc.oneof(grammarish, junkString), { maxLength: 3 }), (filter, orderBy) =>
      answersOrRefuses(() => {
        const ast = parseFilter(filter);
        compileTraceFilter(ast, new SqlParams());
        compileExperimentFilter(ast, new SqlParams());
      }) &&
      answersOrRefuses(() => {
        for (const o of orderBy) parseOrderBy(o);
        compileTraceOrderBy(orderBy, new SqlParams());
      }),
    ),
    fuzzParams(3000),
  );
});

test("fuzz: request bodies: any bytes parse as a JSON object or are refused with a 400", () => {
  const deep = fc.integer({ min: 1, max: 3000 }).map((d) => "[".repeat(d) + "1" + "]".repeat(d));
  const text = fc.oneof(fc.json(), fc.string({ unit: "binary" }), deep, nasty, fc.json().map((j) => `{"a":${j},"n":99999999999999999999}`));
  fc.assert(
    fc.property(text, (t) => answersOrRefuses(() => parseJsonBody(new TextEncoder().encode(t), "application/json"))),
    fuzzParams(2000),
  );
  // the lossless reader alone: the same values as JSON.parse, or the same SyntaxError
  fc.assert(
    fc.property(fc.json(), (t) => {
      assert.deepEqual(JSON.parse(JSON.stringify(parseJson(t), (_k, v) => (typeof v === "bigint" ? Number(v) : v))), JSON.parse(t));
    }),
    fuzzParams(1000),
  );
});

// a valid ExportTraceServiceRequest to truncate and garble
const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b));
const anyValue = fc.oneof(
  fc.record({ stringValue: fc.string() }),
  fc.record({ intValue: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.integer()) }),
  fc.record({ doubleValue: fc.double() }),
  fc.record({ boolValue: fc.boolean() }),
  fc.record({ bytesValue: fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)) }),
);
const pbSpan = fc.record({
  traceId: fc.oneof(hex(16), hex(0), hex(3)),
  spanId: fc.oneof(hex(8), hex(0), hex(5)),
  parentSpanId: fc.oneof(hex(8), hex(0)),
  name: fc.string({ maxLength: 20 }),
  kind: fc.integer({ min: -1, max: 9 }),
  startTimeUnixNano: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String), fc.constant("0")),
  endTimeUnixNano: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String), fc.constant("0")),
  attributes: fc.array(fc.record({ key: fc.string({ maxLength: 20 }), value: anyValue }), { maxLength: 4 }),
  status: fc.record({ code: fc.integer({ min: 0, max: 3 }), message: fc.string({ maxLength: 10 }) }),
});
const pbRequest = fc.array(pbSpan, { minLength: 1, maxLength: 4 }).map((spans) => encodeExportRequest({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] }));

function garble(bytes: Uint8Array, cut: number, flips: [number, number][]): Uint8Array {
  const out = Uint8Array.from(bytes.subarray(0, Math.max(0, bytes.length - cut)));
  for (const [at, v] of flips) if (out.length) out[at % out.length] = v;
  return out;
}

test("fuzz: OTLP protobuf bodies (valid, truncated, garbled) decode or are refused with a 4xx", () => {
  fc.assert(
    fc.property(pbRequest, fc.nat({ max: 40 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (body, cut, flips) =>
      answersOrRefuses(() => decodeOtlpTraces(garble(body, cut, flips), "application/x-protobuf")),
    ),
    fuzzParams(2000),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (body) => answersOrRefuses(() => decodeOtlpTraces(body, "application/x-protobuf"))),
    fuzzParams(1000),
  );
});

test("fuzz: OTLP JSON bodies (any JSON, span-shaped junk, garbled text) decode or are refused with a 4xx", () => {
  const junk = fc.oneof(fc.anything(), fc.string(), fc.bigInt().map(String), nasty);
  const hexText = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: n, maxLength: n });
  const jsonSpan = fc.record(
    {
      traceId: fc.oneof(hexText(32), junk),
      spanId: fc.oneof(hexText(16), junk),
      parentSpanId: junk,
      name: junk,
      kind: junk,
      startTimeUnixNano: fc.oneof(fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }).map(String), junk),
      endTimeUnixNano: fc.oneof(fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }).map(String), junk),
      attributes: fc.oneof(fc.array(fc.record({ key: junk, value: fc.oneof(fc.record({ stringValue: junk }), fc.record({ intValue: junk }), fc.record({ kvlistValue: junk }), fc.record({ arrayValue: junk }), junk) }), { maxLength: 3 }), junk),
      events: junk,
      status: junk,
    },
    { requiredKeys: [] },
  );
  const doc = fc.oneof(
    fc.array(jsonSpan, { maxLength: 3 }).map((spans) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] })),
    fc.json(),
    fc.string(),
    nasty,
  );
  fc.assert(
    fc.property(doc, fc.nat({ max: 30 }), (text, cut) =>
      answersOrRefuses(() => decodeOtlpTraces(Buffer.from(cut % 3 === 0 ? text.slice(0, Math.max(0, text.length - cut)) : text), "application/json")),
    ),
    fuzzParams(2000),
  );
});
