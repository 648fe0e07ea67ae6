// OTLP writes are authorized against the experiment that owns each trace (issue 14, defect 1, OTLP side).
// With --auth, a user with EDIT on its own experiment R and only READ on V posts spans under
// `x-mlflow-experiment-id: R` whose trace id is an existing trace of V: spans join their trace's
// experiment, so this used to replace V's root span and inject spans. Now the spans of that trace are
// rejected in partial_success and the rest of the request is stored; a trace of an experiment the user
// may edit (W) is still written. Runs a second server with --auth on the test database.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { closeDb, getPool } from "../db";
import { uniqueName } from "../testing/http";
import { basic, call, startAuthServer, type AuthServer } from "../testing/auth";
import { decodeExportResponse, encodeExportRequest } from "./otlp";
import { WORKER_MIN_BODY_BYTES } from "./otlp-workers";

let srv: AuthServer;
let admin: Record<string, string>;
let user: Record<string, string>;
let R: string; // the user's own experiment (MANAGE)
let V: string; // READ only
let W: string; // EDIT granted

const hex = (n: number) => randomBytes(n).toString("hex");

before(async () => {
  srv = await startAuthServer();
  admin = basic(srv.admin.username, srv.admin.password);
  const username = uniqueName("otlp-user");
  const password = "password-" + hex(4);
  assert.equal((await call(srv.url, "POST", "/api/2.0/mlflow/users/create", { username, password }, admin)).status, 200);
  user = basic(username, password);
  const create = async (h: Record<string, string>) => {
    const r = await call(srv.url, "POST", "/api/2.0/mlflow/experiments/create", { name: uniqueName("otlp-auth") }, h);
    assert.equal(r.status, 200, r.text);
    return String(r.json.experiment_id);
  };
  V = await create(admin);
  W = await create(admin);
  R = await create(user);
  for (const [experiment_id, permission] of [[V, "READ"], [W, "EDIT"]]) {
    const g = await call(srv.url, "POST", "/api/2.0/mlflow/experiments/permissions/create", { experiment_id, username, permission }, admin);
    assert.equal(g.status, 200, g.text);
  }
});

after(async () => {
  await srv?.stop();
  await closeDb();
});

interface S {
  traceId: string;
  spanId: string;
  parent?: string;
  name: string;
  pad?: number;
}

const NOW = BigInt(Date.now()) * 1_000_000n;

function pb(spans: S[]): Buffer {
  return Buffer.from(
    encodeExportRequest({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: spans.map((s) => ({
                traceId: Buffer.from(s.traceId, "hex"),
                spanId: Buffer.from(s.spanId, "hex"),
                parentSpanId: s.parent ? Buffer.from(s.parent, "hex") : undefined,
                name: s.name,
                startTimeUnixNano: String(NOW),
                endTimeUnixNano: String(NOW + 1000n),
                attributes: [{ key: "mlflow.spanInputs", value: { stringValue: JSON.stringify({ q: "x".repeat(s.pad ?? 0) }) } }],
              })),
            },
          ],
        },
      ],
    }),
  );
}

function json(spans: S[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parent ?? "",
              name: s.name,
              startTimeUnixNano: String(NOW),
              endTimeUnixNano: String(NOW + 1000n),
              attributes: [{ key: "mlflow.spanInputs", value: { stringValue: JSON.stringify({ q: "x".repeat(s.pad ?? 0) }) } }],
            })),
          },
        ],
      },
    ],
  });
}

async function send(enc: "json" | "protobuf", exp: string, who: Record<string, string>, spans: S[]) {
  const body = enc === "json" ? json(spans) : pb(spans);
  const res = await fetch(srv.url + "/v1/traces", {
    method: "POST",
    body: body as BodyInit,
    headers: { ...who, "content-type": enc === "json" ? "application/json" : "application/x-protobuf", "x-mlflow-experiment-id": exp },
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const size = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  if (res.status !== 200) return { status: res.status, rejected: -1, message: bytes.toString(), size };
  if (enc === "json") {
    const ps = JSON.parse(bytes.toString()).partialSuccess;
    return { status: 200, rejected: Number(ps?.rejectedSpans ?? 0), message: String(ps?.errorMessage ?? ""), size };
  }
  const d = decodeExportResponse(bytes);
  return { status: 200, rejected: d.rejectedSpans, message: d.errorMessage, size };
}

async function spansOf(traceId: string) {
  const { rows } = await getPool().query<{ span_id: string; name: string; experiment_id: string }>(
    "SELECT span_id, name, experiment_id::text AS experiment_id FROM spans WHERE trace_id = $1 ORDER BY name",
    [traceId],
  );
  return rows;
}

async function traceOwner(traceId: string) {
  const { rows } = await getPool().query<{ e: string; n: number }>("SELECT experiment_id::text AS e, span_count AS n FROM traces WHERE trace_id = $1", [traceId]);
  return rows[0];
}

for (const enc of ["protobuf", "json"] as const) {
  for (const decoder of ["main thread", "worker"] as const) {
    test(`${enc}, ${decoder}: spans into another experiment's trace are authorized against the trace's owner`, async () => {
      // victim trace in V and a trace in W, written by the admin
      const victim = { traceId: hex(16), root: hex(8), child: hex(8) };
      const inW = { traceId: hex(16), root: hex(8) };
      const seed = await send(enc, V, admin, [
        { traceId: victim.traceId, spanId: victim.root, name: "victim-root" },
        { traceId: victim.traceId, spanId: victim.child, parent: victim.root, name: "victim-child" },
      ]);
      assert.equal(seed.rejected, 0, seed.message);
      assert.equal((await send(enc, W, admin, [{ traceId: inW.traceId, spanId: inW.root, name: "w-root" }])).rejected, 0);

      // the user's request under R: a forged root for V's trace, an injected span, a span for W's trace
      // (allowed: EDIT on W) and a new trace of its own (over 64 spans and 64 KiB for the worker path)
      const own = hex(16);
      const ownSpans: S[] = Array.from({ length: decoder === "worker" ? 80 : 3 }, (_, i) => ({ traceId: own, spanId: hex(8), name: `own-${i}`, pad: decoder === "worker" ? 1024 : 0 }));
      const r = await send(enc, R, user, [
        ...ownSpans.slice(0, 2),
        { traceId: victim.traceId, spanId: victim.root, name: "forged-root" },
        { traceId: victim.traceId, spanId: hex(8), parent: victim.root, name: "injected" },
        { traceId: inW.traceId, spanId: hex(8), parent: inW.root, name: "w-child" },
        ...ownSpans.slice(2),
      ]);
      if (decoder === "worker") assert.ok(r.size >= WORKER_MIN_BODY_BYTES);
      else assert.ok(r.size < WORKER_MIN_BODY_BYTES);
      assert.equal(r.status, 200, r.message);
      assert.equal(r.rejected, 2, r.message);
      assert.match(r.message, new RegExp(`tr-${victim.traceId}.*experiment ${V}`));

      // V's trace is untouched
      assert.deepEqual((await spansOf(`tr-${victim.traceId}`)).map((s) => s.name), ["victim-child", "victim-root"]);
      assert.deepEqual(await traceOwner(`tr-${victim.traceId}`), { e: V, n: 2 });
      // the rest of the request is stored: W's trace got its child, the user's own trace is in R
      assert.deepEqual((await spansOf(`tr-${inW.traceId}`)).map((s) => s.name), ["w-child", "w-root"]);
      assert.equal((await traceOwner(`tr-${inW.traceId}`)).e, W);
      assert.equal((await spansOf(`tr-${own}`)).length, ownSpans.length);
      assert.equal((await traceOwner(`tr-${own}`)).e, R);
    });
  }
}

test("the owner of the trace may still write to it through any experiment header it may edit", async () => {
  const t = { traceId: hex(16), root: hex(8) };
  assert.equal((await send("protobuf", V, admin, [{ traceId: t.traceId, spanId: t.root, name: "root" }])).rejected, 0);
  // the admin may edit everything: a span for V's trace sent under R is stored (into V's trace)
  const r = await send("protobuf", R, admin, [{ traceId: t.traceId, spanId: hex(8), parent: t.root, name: "late-child" }]);
  assert.equal(r.rejected, 0, r.message);
  assert.deepEqual(await traceOwner(`tr-${t.traceId}`), { e: V, n: 2 });
});
