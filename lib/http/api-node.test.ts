import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { headerValue, HttpAnswer } from "./exchange";
import { COMPRESS_THRESHOLD, fastRouteFor, nodeRequest, negotiateEncoding, nextRouteTableFrom, serveFastRoute, writeResponse, type NextRouteTable } from "./api-node";

// the shape of .next/routes-manifest.json for this app (abridged)
const manifest = {
  staticRoutes: [
    { page: "/", regex: "^/(?:/)?$" },
    { page: "/api/2.0/mlflow/users/create", regex: "^/api/2\\.0/mlflow/users/create(?:/)?$" },
    { page: "/api/2.0/mlflow/experiments/permissions/get", regex: "^/api/2\\.0/mlflow/experiments/permissions/get(?:/)?$" },
    { page: "/api/auth/setup", regex: "^/api/auth/setup(?:/)?$" },
    { page: "/version", regex: "^/version(?:/)?$" },
  ],
  dynamicRoutes: [
    { page: "/api/auth/[...nextauth]", regex: "^/api/auth/(.+?)(?:/)?$" },
    { page: "/api/ui/traces/[traceId]", regex: "^/api/ui/traces/([^/]+?)(?:/)?$" },
    { page: "/api/[...path]", regex: "^/api/(.+?)(?:/)?$" },
    { page: "/experiments/[experimentId]", regex: "^/experiments/([^/]+?)(?:/)?$" },
  ],
  rewrites: { beforeFiles: [], afterFiles: [{ source: "/ajax-api/:path*", destination: "/api/:path*", regex: "^/ajax-api(?:/((?:[^/]+?)(?:/(?:[^/]+?))*))?(?:/)?$" }], fallback: [] },
};
const table = nextRouteTableFrom(manifest)!;

test("route table: the catch-all and the /ajax-api rewrite are required; other /api routes shadow", () => {
  assert.equal(table.ajaxRewrite, true);
  assert.equal(table.shadowing.length, 5);
  assert.equal(nextRouteTableFrom({ ...manifest, dynamicRoutes: manifest.dynamicRoutes.filter((r) => r.page !== "/api/[...path]") }), null);
  assert.equal(nextRouteTableFrom({ ...manifest, rewrites: { beforeFiles: [], afterFiles: [], fallback: [] } })!.ajaxRewrite, false);
});

test("fast routes: MLflow API paths under /api and /ajax-api, split then decoded per segment", () => {
  assert.deepEqual(fastRouteFor("GET", "/api/2.0/mlflow/experiments/get?experiment_id=1", table), { kind: "api", parts: ["2.0", "mlflow", "experiments", "get"] });
  assert.deepEqual(fastRouteFor("POST", "/ajax-api/3.0/mlflow/traces/search", table), { kind: "api", parts: ["3.0", "mlflow", "traces", "search"] });
  assert.deepEqual(fastRouteFor("PUT", "/api/2.0/mlflow-artifacts/artifacts/1/a%2Fb/c%20d.txt", table), { kind: "api", parts: ["2.0", "mlflow-artifacts", "artifacts", "1", "a/b", "c d.txt"] });
  assert.deepEqual(fastRouteFor("HEAD", "/api/nope", table), { kind: "api", parts: ["nope"] });
  // a segment that only looks like an Next route (different case) is still the catch-all's in Next;
  // here it is left to Next all the same
  assert.equal(fastRouteFor("GET", "/api/AUTH/x", table), null);
  assert.deepEqual(fastRouteFor("GET", "/version", table), { kind: "probe", body: "3.6.0" });
  assert.deepEqual(fastRouteFor("HEAD", "/health?x=1", table), { kind: "probe", body: "OK" });
});

test("Next keeps its own routes and every unusual path or method", () => {
  const next = [
    ["POST", "/api/2.0/mlflow/users/create"],
    ["GET", "/api/2.0/mlflow/experiments/permissions/get?experiment_id=1"],
    ["GET", "/api/auth/session"],
    ["POST", "/api/auth/callback/credentials"],
    ["GET", "/api/ui/traces/tr-1"],
    ["GET", "/ajax-api/ui/traces/tr-1"],
    ["GET", "/ajax-api/auth/session"],
    ["GET", "/api/ui%2Ftraces%2Ftr-1"],
    ["GET", "/api/2.0/mlflow/experiments/get/"],
    ["GET", "/api//2.0/mlflow/experiments/get"],
    ["GET", "/api/2.0/../mlflow"],
    ["GET", "/api/2.0/%2e%2E/mlflow"],
    ["GET", "/api/a%zz"],
    ["GET", "/api/\u00e4"],
    ["GET", "/api/"],
    ["GET", "/api"],
    ["GET", "/ajax-api"],
    ["GET", "/ajax-api/"],
    ["OPTIONS", "/api/2.0/mlflow/experiments/get"],
    ["PROPFIND", "/api/2.0/mlflow/experiments/get"],
    ["POST", "/version"],
    ["GET", "/version/"],
    ["GET", "/"],
    ["GET", "/experiments/1"],
    ["POST", "/v1/traces"],
    ["GET", "http://localhost/api/2.0/mlflow/experiments/get"],
  ];
  for (const [m, u] of next) assert.equal(fastRouteFor(m, u, table), null, `${m} ${u}`);
  assert.equal(fastRouteFor("GET", "/ajax-api/2.0/mlflow/experiments/get", { ...table, ajaxRewrite: false }), null);
});

test("Accept-Encoding: gzip preferred, deflate when only it is acceptable, q=0 refuses", () => {
  const cases: [Parameters<typeof negotiateEncoding>[0], unknown][] = [
    [undefined, null],
    ["gzip, deflate, br", "gzip"],
    ["deflate", "deflate"],
    ["br", null],
    ["identity", null],
    ["gzip;q=0, deflate", "deflate"],
    ["gzip;q=0.2, deflate;q=0.8", "deflate"],
    ["*", "gzip"],
    ["*;q=0", null],
  ];
  for (const [input, want] of cases) assert.deepEqual(negotiateEncoding(input), want, String(input));
});

/** A throwaway node:http server answering every request with `answer`; returns raw response bytes. */
async function withServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>, fn: (base: string) => Promise<void>) {
  const srv = http.createServer((req, res) => {
    res.setHeader("vary", "Origin");
    res.setHeader("x-content-type-options", "nosniff");
    handler(req, res).catch((err) => {
      res.destroy();
      throw err;
    });
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  try {
    await fn(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
  } finally {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  }
}

function rawGet(base: string, method: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; rawHeaders: string[]; body: Buffer }>((resolve, reject) => {
    const req = http.request(base + "/x", { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

test("writeResponse: status, headers (Set-Cookie lines, merged Vary, route wins), Content-Length, HEAD", async () => {
  const make = () =>
    new HttpAnswer(201, { "content-type": "application/json", "x-content-type-options": "nosniff", "x-extra": "1", vary: "Cookie", "set-cookie": ["a=1; Path=/", "b=2; Path=/"] }, '{"ok":true}');
  await withServer((req, res) => writeResponse(req, res, make()), async (base) => {
    const r = await rawGet(base, "GET");
    assert.equal(r.status, 201);
    assert.equal(r.body.toString(), '{"ok":true}');
    assert.equal(r.headers["content-length"], "11");
    assert.deepEqual(r.headers["set-cookie"], ["a=1; Path=/", "b=2; Path=/"]);
    assert.equal(r.headers.vary, "Origin, Cookie, Accept-Encoding");
    assert.equal(r.rawHeaders.filter((h) => h.toLowerCase() === "x-content-type-options").length, 1);
    assert.equal(r.headers["x-extra"], "1");
    const h = await rawGet(base, "HEAD");
    assert.equal(h.status, 201);
    assert.equal(h.headers["content-length"], "11");
    assert.equal(h.body.length, 0);
  });
});

test("writeResponse: gzip from 8 KiB for compressible types when accepted; never for binary, HEAD or small bodies", async () => {
  const big = JSON.stringify({ rows: Array.from({ length: 400 }, (_, i) => ({ i, text: "hello world" })) });
  assert.ok(Buffer.byteLength(big) >= COMPRESS_THRESHOLD);
  let next: () => HttpAnswer = () => new HttpAnswer(200, { "content-type": "application/json" }, big);
  await withServer((req, res) => writeResponse(req, res, next()), async (base) => {
    const gz = await rawGet(base, "GET", { "accept-encoding": "gzip, deflate" });
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.equal(Number(gz.headers["content-length"]), gz.body.length);
    assert.equal(gunzipSync(gz.body).toString(), big);
    const plain = await rawGet(base, "GET");
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.equal(plain.body.toString(), big);
    const head = await rawGet(base, "HEAD", { "accept-encoding": "gzip" });
    assert.equal(head.headers["content-encoding"], undefined);
    assert.equal(Number(head.headers["content-length"]), Buffer.byteLength(big));
    next = () => new HttpAnswer(200, { "content-type": "application/octet-stream" }, new Uint8Array(5000));
    const bin = await rawGet(base, "GET", { "accept-encoding": "gzip" });
    assert.equal(bin.headers["content-encoding"], undefined);
    assert.equal(bin.body.length, 5000);
    next = () => new HttpAnswer(200, { "content-type": "text/plain" }, "small");
    const small = await rawGet(base, "GET", { "accept-encoding": "gzip" });
    assert.equal(small.headers["content-encoding"], undefined);
    assert.equal(small.body.toString(), "small");
    // a StartTraceV3-sized answer (a few KB) is not worth a zlib stream
    const medium = JSON.stringify({ text: "x".repeat(COMPRESS_THRESHOLD - 100) });
    next = () => new HttpAnswer(200, { "content-type": "application/json" }, medium);
    const m = await rawGet(base, "GET", { "accept-encoding": "gzip, deflate" });
    assert.equal(m.headers["content-encoding"], undefined);
    assert.equal(m.body.toString(), medium);
  });
});

test("writeResponse: a streaming body is piped as it comes (chunked), a null body is empty, 204 has none", async () => {
  let next: () => HttpAnswer;
  await withServer((req, res) => writeResponse(req, res, next()), async (base) => {
    next = () => {
      let i = 0;
      const stream = new ReadableStream<Uint8Array>({
        async pull(c) {
          await new Promise((r) => setTimeout(r, 2));
          if (i === 5) return c.close();
          c.enqueue(new Uint8Array(Buffer.from(`part${i++};`)));
        },
      });
      return new HttpAnswer(200, { "content-type": "application/octet-stream" }, stream);
    };
    const s = await rawGet(base, "GET");
    assert.equal(s.body.toString(), "part0;part1;part2;part3;part4;");
    assert.equal(s.headers["transfer-encoding"], "chunked");
    assert.equal(s.headers["content-length"], undefined);
    next = () => new HttpAnswer(200, {}, null);
    const empty = await rawGet(base, "GET");
    assert.equal(empty.headers["content-length"], "0");
    assert.equal(empty.body.length, 0);
    next = () => new HttpAnswer(204, {}, null);
    const none = await rawGet(base, "GET");
    assert.equal(none.status, 204);
    assert.equal(none.body.length, 0);
  });
});

test("serveFastRoute: the router's envelope for unknown endpoints, probes as plain text", async () => {
  const t: NextRouteTable = { shadowing: [], ajaxRewrite: true };
  await withServer(async (req, res) => serveFastRoute(req, res, fastRouteFor(req.method, req.url, t)!), async (base) => {
    const r = await fetch(`${base}/ajax-api/2.0/mlflow/nothing`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    assert.equal(r.status, 404);
    assert.deepEqual(await r.json(), { error_code: "ENDPOINT_NOT_FOUND", message: "No API endpoint for POST /2.0/mlflow/nothing." });
    const v = await fetch(`${base}/version`);
    assert.equal(await v.text(), "3.6.0");
    assert.equal(v.headers.get("content-type"), "text/plain; charset=utf-8");
  });
});

test("nodeRequest: the core's request over node:http — url, method, headers as node:http has them, Next's forwarded defaults", () => {
  const req = {
    method: "POST",
    url: "/api/2.0/mlflow/experiments/get?experiment_id=7",
    headers: { host: "localhost:5000", "content-type": "application/json", "x-custom": "a, b", authorization: "Bearer t" },
  } as unknown as http.IncomingMessage;
  const view = nodeRequest(req, null);
  assert.equal(view.method, "POST");
  assert.equal(view.url, "/api/2.0/mlflow/experiments/get?experiment_id=7");
  assert.equal(new URL(view.url, "http://localhost").searchParams.get("experiment_id"), "7");
  assert.equal(headerValue(view.headers, "content-type"), "application/json");
  assert.equal(headerValue(view.headers, "x-custom"), "a, b");
  assert.equal(headerValue(view.headers, "cookie"), null);
  assert.equal(headerValue(view.headers, "authorization") !== null, true);
  assert.equal(headerValue(view.headers, "x-forwarded-host"), "localhost:5000");
  assert.equal(headerValue(view.headers, "x-forwarded-proto"), "http");
  assert.deepEqual({ ...view.headers }, {
    authorization: "Bearer t", "content-type": "application/json", host: "localhost:5000", "x-custom": "a, b",
    "x-forwarded-host": "localhost:5000", "x-forwarded-proto": "http",
  });
  assert.equal(view.body, null);
  const proxied = nodeRequest({ url: "/x", headers: { host: "a", "x-forwarded-host": "b.example", "x-forwarded-proto": "https" } } as unknown as http.IncomingMessage, null);
  assert.equal(headerValue(proxied.headers, "x-forwarded-host"), "b.example");
  assert.equal(headerValue(proxied.headers, "x-forwarded-proto"), "https");
});
