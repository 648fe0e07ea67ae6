import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { AccessDenied } from "../auth/guard";
import { ApiError } from "../errors";
import { bool, int64, requiredStr, strList } from "./params";
import { mlflowRoute, parseJsonBody, webRoute } from "./route";

const call = async (handler: ReturnType<typeof mlflowRoute>, method: string, url: string, body?: string, headers: Record<string, string> = {}) => {
  const res = await webRoute(handler)(new Request("http://x" + url, { method, body, headers }));
  return { status: res.status, headers: res.headers, json: JSON.parse(await res.text()) };
};

/** A public route over `schema` that remembers the input it was given and answers `answer(input)`. */
function recordingRoute<S extends z.ZodType>(schema: S, answer: (i: z.infer<S>) => Record<string, unknown> = () => ({})) {
  const rec: { seen?: unknown } = {};
  const h = mlflowRoute({ schema, access: () => ({ kind: "public" }), handler: async (i) => ((rec.seen = i), answer(i)) });
  return { h, rec };
}

test("query parameters: repeated keys become lists, booleans and int64 are parsed", async () => {
  const { h, rec } = recordingRoute(z.object({ ids: strList(), flag: bool(), n: int64() }));
  const r = await call(h, "GET", "/x?ids=a&ids=b&flag=TRUE&n=1718460461282000123");
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, {});
  assert.deepEqual(rec.seen, { ids: ["a", "b"], flag: true, n: 1718460461282000123n });
  const bad = await call(h, "GET", "/x?ids=a&flag=yes&n=1");
  assert.equal(bad.status, 400);
  assert.match(bad.json.message, /parameter 'flag'/);
});

test("JSON bodies: lossless int64, body fields over query fields, path params over both", async () => {
  const { h, rec } = recordingRoute(z.object({ trace_id: requiredStr(), key: requiredStr(), n: int64() }), (i) => ({ n: i.n }));
  const res = await webRoute(h, { trace_id: "fromPath" })(new Request("http://x/y?key=fromQuery&trace_id=q", { method: "POST", body: '{"key":"fromBody","n":9223372036854775807,"trace_id":"b"}' }));
  const text = await res.text();
  assert.equal(text, '{"n":9223372036854775807}');
  assert.deepEqual(rec.seen, { trace_id: "fromPath", key: "fromBody", n: 9223372036854775807n });
  // past int64 (what PostgreSQL's bigint holds): 400 naming the parameter, not a database error later
  const over = await webRoute(h, { trace_id: "p" })(new Request("http://x/y", { method: "POST", body: '{"key":"k","n":18446744073709551615}' }));
  assert.equal(over.status, 400);
  assert.match(await over.text(), /parameter 'n' supplied\. It must be a 64-bit integer/);
});

test("errors: ApiError envelope, 401 with a Basic challenge, 403, and a generic 500", async () => {
  const throwing = (err: unknown) => mlflowRoute({ schema: z.object({}), access: () => ({ kind: "public" }), handler: async () => { throw err; } });
  const api = await call(throwing(new ApiError("RESOURCE_ALREADY_EXISTS", "exists")), "POST", "/x", "{}");
  assert.deepEqual([api.status, api.json], [400, { error_code: "RESOURCE_ALREADY_EXISTS", message: "exists" }]);
  const unauth = await call(throwing(new AccessDenied(401, "who are you")), "POST", "/x", "{}");
  assert.equal(unauth.status, 401);
  assert.equal(unauth.json.error_code, "UNAUTHENTICATED");
  assert.equal(unauth.headers.get("www-authenticate"), 'Basic realm="mlflow"');
  const forbidden = await call(throwing(new AccessDenied(403, "no")), "POST", "/x", "{}");
  assert.deepEqual([forbidden.status, forbidden.json.error_code], [403, "PERMISSION_DENIED"]);
  const origError = console.error;
  console.error = () => {};
  try {
    const internal = await call(throwing(new Error('relation "secret_table" does not exist')), "POST", "/x", "{}");
    assert.equal(internal.status, 500);
    assert.equal(internal.json.error_code, "INTERNAL_ERROR");
    assert.doesNotMatch(internal.json.message, /secret_table/);
  } finally {
    console.error = origError;
  }
});

test("body limit: 413 RESOURCE_EXHAUSTED, also for chunked bodies without a content-length", async () => {
  process.env.FLOWTRACE_MAX_BODY_BYTES = "1000";
  try {
    const h = mlflowRoute({ schema: z.object({}), access: () => ({ kind: "public" }), handler: async () => ({}) });
    const declared = await call(h, "POST", "/x", "x".repeat(2000), { "content-type": "application/json" });
    assert.deepEqual([declared.status, declared.json.error_code], [413, "RESOURCE_EXHAUSTED"]);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode(" ".repeat(200)));
        c.close();
      },
    });
    const res = await webRoute(h)(new Request("http://x/x", { method: "POST", body: stream, duplex: "half" } as RequestInit));
    assert.equal(res.status, 413);
  } finally {
    delete process.env.FLOWTRACE_MAX_BODY_BYTES;
  }
});

test("parseJsonBody: empty is {}, double-encoded is decoded, non-objects and bad JSON are 400", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.deepEqual(parseJsonBody(enc(""), null), {});
  assert.deepEqual(parseJsonBody(enc('"{\\"a\\":1}"'), null), { a: 1 });
  assert.throws(() => parseJsonBody(enc("[1]"), null), /JSON object/);
  assert.throws(() => parseJsonBody(enc("{"), "application/json"), (e: ApiError) => e.code === "INVALID_PARAMETER_VALUE" && /Malformed JSON/.test(e.message));
});
