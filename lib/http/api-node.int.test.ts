// The MLflow REST API as the node:http fast path serves it (lib/http/api-node.ts), against the production
// server: the same answers the Next route gave (statuses, envelopes, headers clients read, bytes), /ajax-api
// as the rewrite of /api, the body limit, HEAD, and the paths under /api that stay Next's.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { after, before, test } from "node:test";
import { baseUrl, http as call, uniqueName } from "../testing/http";
import { startServerProcess } from "../server/test-runner";

const LIMIT = 4096;
let limited: Awaited<ReturnType<typeof startServerProcess>> | undefined;

before(async () => {
  limited = await startServerProcess(process.env.DATABASE_URL!, ["--quiet"], { FLOWTRACE_MAX_BODY_BYTES: String(LIMIT) });
});
after(async () => {
  await limited?.stop();
});

async function createExperiment(prefix = "/api"): Promise<string> {
  const r = await call("POST", `${prefix}/2.0/mlflow/experiments/create`, { name: uniqueName("fast") });
  assert.equal(r.status, 200, r.text);
  return r.json.experiment_id;
}

test("/ajax-api/… answers exactly as /api/…: successes, errors, path parameters", async () => {
  const viaAjax = await createExperiment("/ajax-api");
  const paths = [
    `/2.0/mlflow/experiments/get?experiment_id=${viaAjax}`,
    `/2.0/mlflow/experiments/get?experiment_id=987654321`,
    `/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent("no such experiment")}`,
    `/3.0/mlflow/traces/tr-${"0".repeat(32)}`,
    `/3.0/mlflow/traces/a%2Fb`,
    `/2.0/mlflow/nothing-here`,
  ];
  for (const p of paths) {
    const a = await call("GET", "/api" + p);
    const b = await call("GET", "/ajax-api" + p);
    assert.equal(b.status, a.status, p);
    assert.equal(b.headers.get("content-type"), a.headers.get("content-type"), p);
    assert.deepEqual(b.json, a.json, p);
    assert.notEqual(a.json, undefined, p);
  }
  // a path segment is decoded whole: %2F stays inside the trace id
  assert.equal((await call("GET", "/api/3.0/mlflow/traces/a%2Fb")).json.message, "Trace with ID 'a/b' not found.");
  const got = await call("GET", `/api/2.0/mlflow/experiments/get?experiment_id=${viaAjax}`);
  assert.equal(got.status, 200);
  assert.equal(got.json.experiment.experiment_id, viaAjax);
  const search = await call("POST", "/ajax-api/2.0/mlflow/experiments/search", { max_results: 1000 });
  assert.equal(search.status, 200);
  assert.ok(search.json.experiments.some((e: { experiment_id: string }) => e.experiment_id === viaAjax));
});

test("unknown endpoints and methods: ENDPOINT_NOT_FOUND 404 in MLflow's envelope", async () => {
  for (const prefix of ["/api", "/ajax-api"]) {
    const r = await call("GET", `${prefix}/2.0/mlflow/no-such-endpoint`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(r.json, { error_code: "ENDPOINT_NOT_FOUND", message: "No API endpoint for GET /2.0/mlflow/no-such-endpoint." });
    const wrong = await call("DELETE", `${prefix}/2.0/mlflow/experiments/get`);
    assert.equal(wrong.status, 404);
    assert.equal(wrong.json.error_code, "ENDPOINT_NOT_FOUND");
    assert.equal(wrong.headers.get("allow"), "GET");
  }
});

test("malformed JSON body: 400 INVALID_PARAMETER_VALUE", async () => {
  for (const prefix of ["/api", "/ajax-api"]) {
    const r = await call("POST", `${prefix}/2.0/mlflow/experiments/create`, '{"name": ', { "content-type": "application/json" });
    assert.equal(r.status, 400);
    assert.equal(r.json.error_code, "INVALID_PARAMETER_VALUE");
    assert.match(r.json.message, /^Malformed JSON in request body \(Content-Type: application\/json\)/);
    const notObject = await call("POST", `${prefix}/2.0/mlflow/experiments/create`, "[1,2]", { "content-type": "application/json" });
    assert.equal(notObject.status, 400);
    assert.equal(notObject.json.message, "Request body must be a JSON object.");
  }
});

test("HEAD answers like GET without a body", async () => {
  const id = await createExperiment();
  const get = await fetch(`${baseUrl()}/api/2.0/mlflow/experiments/get?experiment_id=${id}`, { headers: { "accept-encoding": "identity" } });
  const getBody = Buffer.from(await get.arrayBuffer());
  const head = await fetch(`${baseUrl()}/api/2.0/mlflow/experiments/get?experiment_id=${id}`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-type"), "application/json");
  assert.equal(Number(head.headers.get("content-length")), getBody.length);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  const missing = await fetch(`${baseUrl()}/ajax-api/2.0/mlflow/experiments/get?experiment_id=987654321`, { method: "HEAD" });
  assert.equal(missing.status, 404);
  assert.equal((await missing.arrayBuffer()).byteLength, 0);
  for (const p of ["/version", "/health"]) {
    const r = await fetch(baseUrl() + p, { method: "HEAD" });
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get("content-type") ?? "", /^text\/plain/);
    assert.equal((await r.arrayBuffer()).byteLength, 0);
  }
});

test("artifact PUT then GET: a binary body comes back byte for byte", async () => {
  const id = await createExperiment();
  const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(300_000), Buffer.from([0, 0xff, 0xfe, 0x0d, 0x0a])]);
  const p = `/api/2.0/mlflow-artifacts/artifacts/${id}/blobs/data%20file.bin`;
  const put = await call("PUT", p, bytes, { "content-type": "application/octet-stream" });
  assert.equal(put.status, 200, put.text);
  for (const prefix of ["/api", "/ajax-api"]) {
    const res = await fetch(baseUrl() + p.replace(/^\/api/, prefix));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    assert.equal(res.headers.get("content-disposition"), 'attachment; filename="data file.bin"');
    assert.equal(res.headers.get("content-encoding"), null);
    assert.equal(Number(res.headers.get("content-length")), bytes.length);
    const back = Buffer.from(await res.arrayBuffer());
    assert.equal(back.length, bytes.length);
    assert.ok(back.equals(bytes), `${prefix}: body differs`);
  }
  const list = await call("GET", `/api/2.0/mlflow-artifacts/artifacts?path=${id}/blobs`);
  assert.deepEqual(list.json.files, [{ path: `${id}/blobs/data file.bin`, is_dir: false, file_size: bytes.length }]);
});

test("text answers are gzip-compressed for clients that accept it (as Next compressed them), identity otherwise", async () => {
  const id = await createExperiment();
  const text = Array.from({ length: 400 }, (_, i) => `line ${i}: the quick brown fox\n`).join("");
  const p = `/api/2.0/mlflow-artifacts/artifacts/${id}/notes.txt`;
  assert.equal((await call("PUT", p, text, { "content-type": "text/plain; charset=utf-8" })).status, 200);
  const gz = await fetch(baseUrl() + p, { headers: { "accept-encoding": "gzip" } });
  assert.equal(gz.headers.get("content-encoding"), "gzip");
  assert.match(gz.headers.get("vary") ?? "", /Accept-Encoding/);
  assert.equal(await gz.text(), text);
  const plain = await fetch(baseUrl() + p, { headers: { "accept-encoding": "identity" } });
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.equal(Number(plain.headers.get("content-length")), Buffer.byteLength(text));
  assert.equal(await plain.text(), text);
});

/** Requests on one kept-alive connection: shows that the server read the rest of a refused body. */
function onOneConnection(base: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = (method: string, path: string, body?: Buffer | Buffer[], headers: Record<string, string> = {}) =>
    new Promise<{ status: number; json: any; reused: boolean; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const req = http.request(base + path, { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined, reused: req.reusedSocket, headers: res.headers });
        });
      });
      req.on("error", reject);
      if (Array.isArray(body)) {
        // chunked, no Content-Length: the limit can only be found while reading
        for (const b of body) req.write(b);
        req.end();
      } else {
        req.end(body);
      }
    });
  return { send, close: () => agent.destroy() };
}

test("a body over FLOWTRACE_MAX_BODY_BYTES: 413 RESOURCE_EXHAUSTED envelope, and the connection stays usable", async () => {
  const base = limited!.url;
  const c = onOneConnection(base);
  try {
    const expected = { error_code: "RESOURCE_EXHAUSTED", message: `Request body is larger than the limit of ${LIMIT} bytes (FLOWTRACE_MAX_BODY_BYTES).` };
    const declared = await c.send("POST", "/api/2.0/mlflow/experiments/create", Buffer.alloc(LIMIT + 1, 0x20), { "content-type": "application/json" });
    assert.equal(declared.status, 413);
    assert.deepEqual(declared.json, expected);
    assert.match(String(declared.headers["content-type"]), /application\/json/);
    const streamed = await c.send("PUT", "/ajax-api/2.0/mlflow-artifacts/artifacts/0/big.bin", Array.from({ length: 64 }, () => randomBytes(16 * 1024)), { "content-type": "application/octet-stream" });
    assert.equal(streamed.status, 413);
    assert.deepEqual(streamed.json, expected);
    assert.equal(streamed.reused, true);
    // the refused bodies were consumed: the same connection carries the next request
    const name = uniqueName("after-413");
    const ok = await c.send("POST", "/api/2.0/mlflow/experiments/create", Buffer.from(JSON.stringify({ name })), { "content-type": "application/json" });
    assert.equal(ok.status, 200);
    assert.equal(ok.reused, true);
    const atLimit = await c.send("PUT", `/api/2.0/mlflow-artifacts/artifacts/${ok.json.experiment_id}/fits.bin`, Array.from({ length: 4 }, () => randomBytes(LIMIT / 4)), { "content-type": "application/octet-stream" });
    assert.equal(atLimit.status, 200);
  } finally {
    c.close();
  }
});

test("a client that disconnects mid-request does not take the server down", async () => {
  const { hostname, port } = new URL(limited!.url);
  const head = (method: string, path: string, len: number | "chunked") =>
    `${method} ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n${len === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${len}`}\r\n\r\n`;
  const partial = [
    head("POST", "/api/2.0/mlflow/experiments/create", 900) + '{"name":"half',
    head("PUT", "/api/2.0/mlflow-artifacts/artifacts/0/half.bin", 3000) + "x".repeat(1000),
    head("POST", "/ajax-api/2.0/mlflow/experiments/create", "chunked") + '6\r\n{"name\r\n',
    head("POST", "/api/3.0/mlflow/traces/search", 2) + "{}",
  ];
  for (const text of partial) {
    await new Promise<void>((resolve) => {
      const s = net.connect(Number(port), hostname, () => {
        s.write(text);
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 30);
      });
      s.on("error", () => resolve());
    });
  }
  await new Promise((r) => setTimeout(r, 200));
  const r = await fetch(`${limited!.url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
  assert.equal(r.status, 200);
  assert.equal(((await r.json()) as any).experiment.name, "Default");
});

test("hardening still applies: CORS for trusted origins, cross-origin writes blocked, preflight answered", async () => {
  const ok = await call("POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName("cors") }, { origin: "http://localhost:3000" });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("access-control-allow-origin"), "http://localhost:3000");
  assert.match(ok.headers.get("vary") ?? "", /Origin/);
  assert.equal(ok.headers.get("x-content-type-options"), "nosniff");
  const blocked = await call("POST", "/ajax-api/2.0/mlflow/experiments/create", { name: uniqueName("cors") }, { origin: "https://evil.example" });
  assert.equal(blocked.status, 403);
  assert.equal(blocked.text, "Cross-origin request blocked");
  const pre = await fetch(`${baseUrl()}/api/2.0/mlflow/experiments/create`, { method: "OPTIONS", headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), "http://localhost:3000");
});

test("the other routes under /api are still Next's, and so are unusual paths", async () => {
  // the UI API and MLflow's account endpoints are their own routes, not ENDPOINT_NOT_FOUND of the catch-all
  const ui = await call("GET", `/api/ui/traces/tr-${"1".repeat(32)}`);
  assert.equal(ui.status, 404);
  assert.equal(ui.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  const ajaxUi = await call("GET", `/ajax-api/ui/traces/tr-${"1".repeat(32)}`);
  assert.deepEqual(ajaxUi.json, ui.json);
  const users = await call("GET", "/api/2.0/mlflow/users/get?username=nobody");
  assert.equal(users.json.error_code, "FEATURE_DISABLED");
  // a trailing slash is Next's redirect
  const slash = await fetch(`${baseUrl()}/api/2.0/mlflow/experiments/get/`, { redirect: "manual" });
  assert.equal(slash.status, 308);
  assert.equal(slash.headers.get("location"), "/api/2.0/mlflow/experiments/get");
});
