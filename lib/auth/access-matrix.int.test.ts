// Every route and page against the access it must require, with --auth on. The list of routes comes from
// the file system (app/**/route.ts, app/**/page.tsx) and from the MLflow router behind app/api/[...path];
// the expected access comes from the table below. A route missing from the table fails the suite, so a
// new route cannot ship without someone deciding who may call it; a route whose answers do not match its
// row (an EDIT route a READ user can call, a page anyone can open) fails too.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import { ROOT } from "../server/paths";
import { uniqueName } from "../testing/http";
import { basic, call, startAuthServer, type AuthServer } from "./testing";

type Need = "public" | "authenticated" | "READ" | "EDIT" | "MANAGE" | "admin";
type Who = "anonymous" | "none" | "reader" | "editor" | "manager" | "admin";
type Verdict = "allowed" | "denied" | "unauthenticated";

interface Fixture {
  experimentId: string;
  experimentName: string;
  traceId: string;
  assessmentId: string;
  /** a user the admin routes act on */
  target: string;
}

interface Sample {
  query?: Record<string, string | string[]>;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Spec {
  need: Need;
  sample?: (fx: Fixture) => Sample;
}

const WHO: Who[] = ["anonymous", "none", "reader", "editor", "manager", "admin"];
const RANK: Record<string, number> = { none: 0, reader: 1, editor: 2, manager: 3, READ: 1, EDIT: 2, MANAGE: 3 };

const newTraceId = () => `tr-${randomBytes(16).toString("hex")}`;
const q = (query: Record<string, string | string[]>): Sample => ({ query });
const b = (body: unknown): Sample => ({ body });
const traceInfo = (fx: Fixture) => ({
  trace: {
    trace_info: {
      trace_id: newTraceId(),
      trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: fx.experimentId } },
      request_time: new Date().toISOString(),
      state: "OK",
    },
  },
});

/** Keyed by "METHOD /path" (router paths below /api, /2.0/preview/mlflow written as /2.0/mlflow) and "PAGE /path". */
const EXPECTED: Record<string, Spec> = {
  // ---- utility and sign-in (public) ----
  "GET /health": { need: "public" },
  "GET /version": { need: "public" },
  "GET /api/auth/[...nextauth]": { need: "public" },
  "POST /api/auth/[...nextauth]": { need: "public", sample: () => b({}) },
  "POST /api/auth/setup": { need: "public", sample: () => b({ token: "wrong", username: "x", password: "xxxxxxxx" }) },
  "PAGE /login": { need: "public" },
  "PAGE /login/setup": { need: "public" },

  // ---- accounts and tokens ----
  "GET /api/auth/tokens": { need: "authenticated" },
  "POST /api/auth/tokens": { need: "authenticated", sample: () => b({ name: "matrix" }) },
  "DELETE /api/auth/tokens/[id]": { need: "authenticated" },
  "GET /api/auth/users": { need: "admin" },
  "POST /api/auth/users": { need: "admin", sample: () => b({ username: uniqueName("m"), password: "password-1" }) },
  "PATCH /api/auth/users/[username]": { need: "admin", sample: () => b({}) },
  "POST /api/2.0/mlflow/users/create": { need: "admin", sample: () => b({ username: uniqueName("m"), password: "password-1" }) },
  "GET /api/2.0/mlflow/users/get": { need: "admin", sample: (fx) => q({ username: fx.target }) },
  "PATCH /api/2.0/mlflow/users/update-password": { need: "admin", sample: (fx) => b({ username: fx.target, password: "password-2" }) },
  "PATCH /api/2.0/mlflow/users/update-admin": { need: "admin", sample: (fx) => b({ username: fx.target, is_admin: false }) },
  "DELETE /api/2.0/mlflow/users/delete": { need: "admin", sample: (fx) => b({ username: fx.target }) },
  "POST /api/2.0/mlflow/experiments/permissions/create": { need: "MANAGE", sample: (fx) => b({ experiment_id: fx.experimentId, username: fx.target, permission: "READ" }) },
  "GET /api/2.0/mlflow/experiments/permissions/get": { need: "MANAGE", sample: (fx) => q({ experiment_id: fx.experimentId, username: fx.target }) },
  "PATCH /api/2.0/mlflow/experiments/permissions/update": { need: "MANAGE", sample: (fx) => b({ experiment_id: fx.experimentId, username: fx.target, permission: "EDIT" }) },
  "DELETE /api/2.0/mlflow/experiments/permissions/delete": { need: "MANAGE", sample: (fx) => b({ experiment_id: fx.experimentId, username: fx.target }) },
  "PAGE /settings": { need: "authenticated" },
  "PAGE /settings/tokens": { need: "authenticated" },
  "PAGE /settings/users": { need: "admin" },
  "PAGE /settings/experiments/[experimentId]/permissions": { need: "MANAGE" },

  // ---- MLflow experiments (router) ----
  "POST /api/2.0/mlflow/experiments/create": { need: "authenticated", sample: () => b({ name: uniqueName("matrix-exp") }) },
  "GET /api/2.0/mlflow/experiments/get": { need: "READ", sample: (fx) => q({ experiment_id: fx.experimentId }) },
  "GET /api/2.0/mlflow/experiments/get-by-name": { need: "READ", sample: (fx) => q({ experiment_name: fx.experimentName }) },
  "GET /api/2.0/mlflow/experiments/search": { need: "authenticated", sample: () => q({ max_results: "1" }) },
  "POST /api/2.0/mlflow/experiments/search": { need: "authenticated", sample: () => b({ max_results: 1 }) },
  "POST /api/2.0/mlflow/experiments/update": { need: "MANAGE", sample: (fx) => b({ experiment_id: fx.experimentId, new_name: uniqueName("renamed") }) },
  "POST /api/2.0/mlflow/experiments/delete": { need: "MANAGE", sample: (fx) => b({ experiment_id: fx.experimentId }) },
  "POST /api/2.0/mlflow/experiments/restore": { need: "MANAGE", sample: (fx) => b({ experiment_id: fx.experimentId }) },
  "POST /api/2.0/mlflow/experiments/set-experiment-tag": { need: "EDIT", sample: (fx) => b({ experiment_id: fx.experimentId, key: "k", value: "v" }) },
  "POST /api/2.0/mlflow/experiments/delete-experiment-tag": { need: "EDIT", sample: (fx) => b({ experiment_id: fx.experimentId, key: "k" }) },

  // ---- MLflow traces (router) ----
  "POST /api/3.0/mlflow/traces": { need: "EDIT", sample: (fx) => b(traceInfo(fx)) },
  "POST /api/2.0/mlflow/traces": { need: "EDIT", sample: (fx) => b({ experiment_id: fx.experimentId, timestamp_ms: Date.now() }) },
  "PATCH /api/2.0/mlflow/traces/{trace_id}": { need: "EDIT", sample: () => b({ timestamp_ms: Date.now(), status: "OK" }) },
  "GET /api/2.0/mlflow/traces/{trace_id}/info": { need: "READ" },
  "GET /api/3.0/mlflow/traces/{trace_id}": { need: "READ" },
  "GET /api/3.0/mlflow/traces/get": { need: "READ", sample: (fx) => q({ trace_id: fx.traceId, allow_partial: "true" }) },
  "GET /api/3.0/mlflow/traces/batchGet": { need: "READ", sample: (fx) => q({ trace_ids: fx.traceId }) },
  "POST /api/3.0/mlflow/traces/batchGet": { need: "READ", sample: (fx) => b({ trace_ids: [fx.traceId] }) },
  "GET /api/3.0/mlflow/traces/batchGetInfos": { need: "READ", sample: (fx) => q({ trace_ids: fx.traceId }) },
  "POST /api/3.0/mlflow/traces/batchGetInfos": { need: "READ", sample: (fx) => b({ trace_ids: [fx.traceId] }) },
  "GET /api/3.0/mlflow/traces/search": { need: "READ", sample: (fx) => q({ experiment_ids: fx.experimentId }) },
  "POST /api/3.0/mlflow/traces/search": { need: "READ", sample: (fx) => b({ locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: fx.experimentId } }] }) },
  "GET /api/2.0/mlflow/traces": { need: "READ", sample: (fx) => q({ experiment_ids: fx.experimentId }) },
  "PATCH /api/2.0/mlflow/traces/{trace_id}/tags": { need: "EDIT", sample: () => b({ key: "k", value: "v" }) },
  "PATCH /api/3.0/mlflow/traces/{trace_id}/tags": { need: "EDIT", sample: () => b({ key: "k", value: "v" }) },
  "DELETE /api/2.0/mlflow/traces/{trace_id}/tags": { need: "EDIT", sample: () => q({ key: "k" }) },
  "DELETE /api/3.0/mlflow/traces/{trace_id}/tags": { need: "EDIT", sample: () => q({ key: "k" }) },
  "POST /api/2.0/mlflow/traces/delete-traces": { need: "EDIT", sample: (fx) => b({ experiment_id: fx.experimentId, request_ids: [fx.traceId] }) },
  "POST /api/3.0/mlflow/traces/delete-traces": { need: "EDIT", sample: (fx) => b({ experiment_id: fx.experimentId, request_ids: [fx.traceId] }) },
  "POST /api/2.0/mlflow/traces/link-to-run": { need: "EDIT", sample: (fx) => b({ trace_ids: [fx.traceId], run_id: "run-1" }) },
  "POST /api/3.0/mlflow/traces/link-to-run": { need: "EDIT", sample: (fx) => b({ trace_ids: [fx.traceId], run_id: "run-1" }) },
  "POST /api/2.0/mlflow/traces/link-prompts": { need: "EDIT", sample: (fx) => b({ trace_id: fx.traceId, prompt_versions: [{ name: "p", version: "1" }] }) },
  "POST /api/3.0/mlflow/traces/link-prompts": { need: "EDIT", sample: (fx) => b({ trace_id: fx.traceId, prompt_versions: [{ name: "p", version: "1" }] }) },
  "POST /api/3.0/mlflow/traces/{trace_id}/assessments": { need: "EDIT", sample: () => b({ assessment: { assessment_name: "q", feedback: { value: 1 }, source: { source_type: "HUMAN", source_id: "u" } } }) },
  "GET /api/3.0/mlflow/traces/{trace_id}/assessments/{assessment_id}": { need: "READ" },
  "PATCH /api/3.0/mlflow/traces/{trace_id}/assessments/{assessment_id}": { need: "EDIT", sample: () => b({ assessment: { rationale: "r" }, update_mask: "rationale" }) },
  "DELETE /api/3.0/mlflow/traces/{trace_id}/assessments/{assessment_id}": { need: "EDIT" },
  "PUT /api/2.0/mlflow-artifacts/artifacts/{path+}": { need: "EDIT", sample: () => ({ body: JSON.stringify({ spans: [] }), headers: { "content-type": "application/json" } }) },
  "GET /api/2.0/mlflow-artifacts/artifacts/{path+}": { need: "READ" },
  "GET /api/2.0/mlflow-artifacts/artifacts": { need: "READ", sample: (fx) => q({ path: `${fx.experimentId}/traces/${fx.traceId}/artifacts` }) },
  "DELETE /api/2.0/mlflow-artifacts/artifacts/{path+}": { need: "EDIT" },
  "GET /api/2.0/mlflow/get-trace-artifact": { need: "READ", sample: (fx) => q({ request_id: fx.traceId }) },
  "GET /api/3.0/mlflow/get-trace-artifact": { need: "READ", sample: (fx) => q({ request_id: fx.traceId }) },

  // ---- OTLP ----
  "POST /v1/traces": { need: "EDIT", sample: (fx) => ({ body: JSON.stringify({ resourceSpans: [] }), headers: { "content-type": "application/json", "x-mlflow-experiment-id": fx.experimentId } }) },
  "POST /v1/metrics": { need: "authenticated", sample: () => ({ body: "{}", headers: { "content-type": "application/json" } }) },
  "POST /v1/logs": { need: "authenticated", sample: () => ({ body: "{}", headers: { "content-type": "application/json" } }) },

  // ---- UI pages and their JSON endpoints ----
  "PAGE /": { need: "authenticated" },
  "PAGE /experiments/[experimentId]": { need: "READ" },
  "PAGE /experiments/[experimentId]/traces": { need: "READ" },
  "PAGE /experiments/[experimentId]/traces/[traceId]": { need: "READ" },
  "PAGE /experiments/[experimentId]/sessions": { need: "READ" },
  "PAGE /experiments/[experimentId]/sessions/[sessionId]": { need: "READ" },
  "PAGE /experiments/[experimentId]/users": { need: "READ" },
  "PAGE /experiments/[experimentId]/users/[userId]": { need: "READ" },
  "GET /api/ui/experiments/[experimentId]/traces": { need: "READ" },
  "GET /api/ui/experiments/[experimentId]/traces/count": { need: "READ" },
  "GET /api/ui/experiments/[experimentId]/traces/changes": { need: "READ" },
  "GET /api/ui/traces/[traceId]": { need: "READ" },
  "GET /api/ui/traces/[traceId]/search": { need: "READ", sample: () => q({ q: "x" }) },
  "GET /api/ui/traces/[traceId]/spans": { need: "READ" },
  "GET /api/ui/traces/[traceId]/spans/[spanId]": { need: "READ" },
  "GET /api/ui/experiments/[experimentId]/users": { need: "READ" },
  "GET /api/ui/experiments/[experimentId]/users/[userId]": { need: "READ" },
  "GET /api/ui/experiments/[experimentId]/sessions": { need: "READ" },
  "GET /api/ui/experiments/[experimentId]/sessions/[sessionId]": { need: "READ" },
  "GET /api/ui/experiments/[experimentId]/sessions/[sessionId]/turns": { need: "READ" },
};

// ---------------------------------------------------------------------------------------------------------
// Discovery

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function walk(dir: string, name: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, name, out);
    else if (e.name === name) out.push(p);
  }
  return out;
}

function urlPattern(file: string): string {
  const rel = path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep).filter((s) => s && !(s.startsWith("(") && s.endsWith(")")));
  return "/" + rel.join("/");
}

function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:async\s+)?(?:function|const|let)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)) found.add(m[1]);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name && METHODS.includes(name)) found.add(name);
    }
  }
  return [...found];
}

interface Target {
  key: string;
  kind: "route" | "page";
  method: string;
  /** path with placeholders ({x}, [x], {path+}, [...x]) */
  pattern: string;
}

async function discover(): Promise<Target[]> {
  const out: Target[] = [];
  for (const f of walk(path.join(ROOT, "app"), "route.ts")) {
    const pattern = urlPattern(f);
    if (pattern === "/api/[...path]") continue; // the MLflow router, enumerated below
    for (const method of exportedMethods(readFileSync(f, "utf8"))) out.push({ key: `${method} ${pattern}`, kind: "route", method, pattern });
  }
  for (const f of walk(path.join(ROOT, "app"), "page.tsx")) {
    const pattern = urlPattern(f);
    out.push({ key: `PAGE ${pattern}`, kind: "page", method: "GET", pattern });
  }
  if (existsSync(path.join(ROOT, "lib", "mlflow", "api.ts"))) {
    const { mlflowRouter } = await import("../mlflow/api");
    // The router keeps its table private; the test reads it to enumerate every registered route.
    const routes = (mlflowRouter() as unknown as { routes: { method: string; path: string }[] }).routes;
    const seen = new Set<string>();
    for (const r of routes) {
      const pattern = "/api" + r.path.replace("/2.0/preview/mlflow/", "/2.0/mlflow/");
      const key = `${r.method} ${pattern}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ key, kind: "route", method: r.method, pattern });
    }
  }
  return out;
}

function fillPath(pattern: string, fx: Fixture): string {
  return pattern
    .replace("{path+}", `${fx.experimentId}/traces/${fx.traceId}/artifacts/traces.json`)
    .replace(/\{(?:trace_id|request_id)\}|\[traceId\]/g, fx.traceId)
    .replace(/\{assessment_id\}/g, fx.assessmentId)
    .replace(/\{experiment_id\}|\[experimentId\]/g, fx.experimentId)
    .replace("[...nextauth]", "session")
    .replace("[username]", fx.target)
    .replace("[id]", "999999999")
    .replace("[spanId]", "00000000000000a1")
    .replace("[sessionId]", "session-1")
    .replace("[userId]", "user-1")
    .replace(/\{[^}]+\}|\[[^\]]+\]/g, "x");
}

// ---------------------------------------------------------------------------------------------------------

let srv: AuthServer;
let db: pg.Client;
const creds: Partial<Record<Who, Record<string, string>>> = { anonymous: {} };
const userIds: Partial<Record<Who, string>> = {};

async function fixture(): Promise<Fixture> {
  const experimentName = uniqueName("matrix");
  const now = Date.now();
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES ($1, '', $2, $2) RETURNING experiment_id AS id`,
    [experimentName, now],
  );
  const experimentId = rows[0].id;
  await db.query(`UPDATE experiments SET artifact_location = 'mlflow-artifacts:/' || experiment_id WHERE experiment_id = $1`, [experimentId]);
  const grants: [Who, string][] = [["none", "NO_PERMISSIONS"], ["reader", "READ"], ["editor", "EDIT"], ["manager", "MANAGE"]];
  for (const [who, permission] of grants) {
    await db.query(`INSERT INTO experiment_permissions (experiment_id, user_id, permission) VALUES ($1, $2, $3)`, [experimentId, userIds[who], permission]);
  }
  const traceId = newTraceId();
  // updated an hour ago: the anonymous traces.json upload window (guard.ts) must not apply here
  await db.query(`INSERT INTO traces (trace_id, experiment_id, request_time, state, updated_at) VALUES ($1, $2, $3, 'OK', $4)`, [traceId, experimentId, now, now - 3_600_000]);
  const assessmentId = `a-${randomBytes(8).toString("hex")}`;
  await db.query(`INSERT INTO assessments (assessment_id, trace_id, name, kind, value, create_time, last_update_time) VALUES ($1, $2, 'q', 'feedback', '1', $3, $3)`, [assessmentId, traceId, now]);
  const target = uniqueName("target");
  await db.query(`INSERT INTO users (username, created_at) VALUES ($1, $2)`, [target, now]);
  return { experimentId, experimentName, traceId, assessmentId, target };
}

function expected(need: Need, who: Who): Verdict {
  if (who === "anonymous") return need === "public" ? "allowed" : "unauthenticated";
  if (who === "admin" || need === "public" || need === "authenticated") return "allowed";
  if (need === "admin") return "denied";
  return RANK[who] >= RANK[need] ? "allowed" : "denied";
}

function verdictOf(kind: Target["kind"], status: number, location: string | null): Verdict {
  if (status === 401) return "unauthenticated";
  if (kind === "page") {
    if (status >= 300 && status < 400 && location?.startsWith("/login")) return "unauthenticated";
    if (status === 403 || status === 404) return "denied";
    return "allowed";
  }
  return status === 403 ? "denied" : "allowed";
}

before(async () => {
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  srv = await startAuthServer();
  creds.admin = basic(srv.admin.username, srv.admin.password);
  for (const who of ["none", "reader", "editor", "manager"] as Who[]) {
    const username = uniqueName(`matrix-${who}`);
    const password = `pw-${username}`;
    const r: { status: number; text: string; json: { user: { id: string } } } = await call(srv.url, "POST", "/api/auth/users", { username, password }, creds.admin);
    assert.equal(r.status, 201, r.text);
    userIds[who] = r.json.user.id;
    creds[who] = basic(username, password);
  }
});

after(async () => {
  await srv?.stop();
  await db?.end();
});

test("every route and page is in the expected-access table", async () => {
  const missing = (await discover()).filter((t) => !EXPECTED[t.key]).map((t) => t.key);
  assert.deepEqual(missing, [], `add these to EXPECTED in lib/auth/access-matrix.int.test.ts with the access they must require:\n${missing.join("\n")}`);
});

test("anonymous / NO_PERMISSIONS / READ / EDIT / MANAGE / admin get exactly the access in the table", async () => {
  const targets = (await discover()).filter((t) => EXPECTED[t.key]);
  assert.ok(targets.length >= 20, `only ${targets.length} routes found`);
  const mismatches: string[] = [];
  for (const t of targets) {
    const spec = EXPECTED[t.key];
    const fx = await fixture();
    for (const who of WHO) {
      const sample = spec.sample?.(fx) ?? {};
      let p = fillPath(t.pattern, fx);
      if (sample.query) {
        const usp = new URLSearchParams();
        for (const [k, v] of Object.entries(sample.query)) for (const x of Array.isArray(v) ? v : [v]) usp.append(k, x);
        p += `?${usp}`;
      }
      const r = await call(srv.url, t.method, p, sample.body, { ...(sample.headers ?? {}), ...creds[who] });
      const got = verdictOf(t.kind, r.status, r.headers.get("location"));
      const want = expected(spec.need, who);
      if (got !== want) mismatches.push(`${t.key} as ${who}: expected ${want}, got ${got} (${r.status} ${r.text.slice(0, 120).replace(/\s+/g, " ")})`);
      if (got === "unauthenticated" && t.kind === "route" && r.headers.get("www-authenticate") !== 'Basic realm="mlflow"') {
        mismatches.push(`${t.key} as ${who}: 401 without WWW-Authenticate: Basic realm="mlflow"`);
      }
    }
  }
  assert.deepEqual(mismatches, [], `\n${mismatches.join("\n")}`);
});
