// Every route and page against the access it must require, with --auth on. The list of routes comes from
// the file system (app/**/route.ts, app/**/page.tsx) and from the MLflow router behind app/api/[...path];
// the expected access comes from the table below. A route missing from the table fails the suite, so a
// new route cannot ship without someone deciding who may call it; a route whose answers do not match its
// row (an EDIT route a READ user can call, a page anyone can open) fails too.
//
// Foreign trace ids (issue #14): every write route (POST/PUT/PATCH/DELETE) also has an entry in FOREIGN below,
// either requests that name a trace of another experiment — one where the caller has only READ — while naming
// the caller's own experiment wherever the request names one, with the answer they must get, or the reason the
// route cannot touch a trace. A write route missing from FOREIGN fails the suite, and after every foreign case
// the other experiment's trace (row, spans, assessments, run links, files) must be exactly as it was.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import { ROOT } from "../server/paths";
import { uniqueName } from "../testing/http";
import { basic, call, startAuthServer, type AuthServer } from "../testing/auth";

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
  "GET /health/ready": { need: "public" },
  "GET /favicon.ico": { need: "public" },
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
  "PAGE /settings/prices": { need: "authenticated" },
  "GET /api/ui/prices": { need: "authenticated" },
  "POST /api/ui/prices": { need: "admin", sample: () => b({ model: uniqueName("matrix-model"), input_per_mtok: 1, output_per_mtok: 2 }) },
  "GET /api/ui/prices/[id]": { need: "authenticated" },
  "PUT /api/ui/prices/[id]": { need: "admin", sample: () => b({ model: "matrix-model", input_per_mtok: 1, output_per_mtok: 2 }) },
  "DELETE /api/ui/prices/[id]": { need: "admin" },
  "GET /api/ui/prices/lookup": { need: "authenticated", sample: () => q({ model: "gpt-4o-mini" }) },
  "GET /api/ui/prices/reprice": { need: "authenticated" },
  "POST /api/ui/prices/reprice": { need: "admin", sample: () => b({}) },

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
  "POST /api/3.0/mlflow/traces/metrics": { need: "READ", sample: (fx) => b({ experiment_ids: [fx.experimentId], view_type: "TRACES", metric_name: "trace_count", aggregations: [{ aggregation_type: "COUNT" }] }) },
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
// Foreign trace ids

/** The caller ("editor": EDIT on `own`) and a trace of another experiment where it has only READ. */
interface ForeignFixture {
  own: Fixture;
  foreignExperimentId: string;
  foreignTraceId: string;
  foreignAssessmentId: string;
}

/** denied: 403 PERMISSION_DENIED; refused: another 4xx (the id is not there for this request); allowed: 2xx. */
type ForeignVerdict = "denied" | "refused" | "allowed";

interface ForeignCase {
  /** what the case tries, for messages */
  what: string;
  /** the path's {path+} (artifacts); {trace_id} is the foreign trace and {assessment_id} its assessment unless `path` says otherwise */
  path?: (ff: ForeignFixture) => Record<string, string>;
  sample: (ff: ForeignFixture) => Sample;
  want: ForeignVerdict;
}

type ForeignEntry = ForeignCase[] | { notATraceWrite: string };

const startV3 = (traceId: string, experimentId: string) => ({
  trace: {
    trace_info: {
      trace_id: traceId,
      trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
      request_time: "2001-01-01T00:00:00Z",
      state: "ERROR",
      request_preview: "forged",
      tags: { forged: "1" },
      trace_metadata: { forged: "1" },
    },
  },
});
const spansJson = (): Sample => ({
  body: JSON.stringify({ spans: [{ trace_id: "", span_id: "00000000000000f1", parent_span_id: "", name: "forged", start_time_unix_nano: "1", end_time_unix_nano: "2", status: { code: "OK" }, attributes: {} }] }),
  headers: { "content-type": "application/json" },
});
const bothVersions = (p: string, entry: ForeignEntry): Record<string, ForeignEntry> => ({ [`${p.split(" ")[0]} /api/2.0/mlflow${p.split(" ")[1]}`]: entry, [`${p.split(" ")[0]} /api/3.0/mlflow${p.split(" ")[1]}`]: entry });
const tracesJsonPath = (e: string, t: string) => `${e}/traces/${t}/artifacts/traces.json`;
const NO_TRACE_ACCOUNTS = { notATraceWrite: "accounts, tokens and permissions: names no trace" };
const NO_TRACE_EXPERIMENT = { notATraceWrite: "experiment-level write (authorized by the experiment it names); names no trace" };
const READ_AS_POST = { notATraceWrite: "a read sent as POST" };

/** Keyed like EXPECTED; every write route must be here. */
const FOREIGN: Record<string, ForeignEntry> = {
  // ---- trace writes ----
  "POST /api/3.0/mlflow/traces": [
    { what: "StartTraceV3: the foreign trace id, trace_location = own experiment", sample: (ff) => b(startV3(ff.foreignTraceId, ff.own.experimentId)), want: "denied" },
    { what: "StartTraceV3: the foreign trace id, trace_location = its experiment", sample: (ff) => b(startV3(ff.foreignTraceId, ff.foreignExperimentId)), want: "denied" },
  ],
  // v2 StartTrace makes up its own trace id: a trace id in the request is ignored, the new trace is the caller's
  "POST /api/2.0/mlflow/traces": [
    { what: "v2 StartTrace with the foreign id as request_id/trace_id", sample: (ff) => b({ experiment_id: ff.own.experimentId, timestamp_ms: Date.now(), request_id: ff.foreignTraceId, trace_id: ff.foreignTraceId }), want: "allowed" },
  ],
  "PATCH /api/2.0/mlflow/traces/{trace_id}": [{ what: "v2 EndTrace of the foreign trace", sample: () => b({ timestamp_ms: Date.now(), status: "ERROR", tags: [{ key: "forged", value: "1" }] }), want: "denied" }],
  ...bothVersions("PATCH /traces/{trace_id}/tags", [{ what: "set a tag on the foreign trace", sample: () => b({ key: "forged", value: "1" }), want: "denied" }]),
  ...bothVersions("DELETE /traces/{trace_id}/tags", [{ what: "delete a tag of the foreign trace", sample: () => q({ key: "owner" }), want: "denied" }]),
  ...bothVersions("POST /traces/delete-traces", [
    { what: "delete by request_ids, naming own experiment", sample: (ff) => b({ experiment_id: ff.own.experimentId, request_ids: [ff.foreignTraceId] }), want: "denied" },
    { what: "delete by trace_ids, naming own experiment", sample: (ff) => b({ experiment_id: ff.own.experimentId, trace_ids: [ff.own.traceId, ff.foreignTraceId] }), want: "denied" },
    { what: "delete by time, naming own experiment (deletes only its traces)", sample: (ff) => b({ experiment_id: ff.own.experimentId, max_timestamp_millis: Date.now() + 86_400_000 }), want: "allowed" },
  ]),
  ...bothVersions("POST /traces/link-to-run", [
    { what: "link the foreign trace to a run", sample: (ff) => b({ trace_ids: [ff.foreignTraceId], run_id: "forged-run" }), want: "denied" },
    { what: "link own and foreign trace to a run", sample: (ff) => b({ trace_ids: [ff.own.traceId, ff.foreignTraceId], run_id: "forged-run" }), want: "denied" },
  ]),
  ...bothVersions("POST /traces/link-prompts", [{ what: "link prompts to the foreign trace", sample: (ff) => b({ trace_id: ff.foreignTraceId, prompt_versions: [{ name: "forged", version: "1" }] }), want: "denied" }]),
  "POST /api/3.0/mlflow/traces/{trace_id}/assessments": [
    { what: "create an assessment on the foreign trace", sample: () => b({ assessment: { assessment_name: "forged", feedback: { value: 1 }, source: { source_type: "HUMAN", source_id: "u" } } }), want: "denied" },
  ],
  "PATCH /api/3.0/mlflow/traces/{trace_id}/assessments/{assessment_id}": [
    { what: "update the foreign trace's assessment", sample: () => b({ assessment: { rationale: "forged" }, update_mask: "rationale" }), want: "denied" },
    { what: "update the foreign assessment under the caller's own trace id", path: (ff) => ({ trace_id: ff.own.traceId }), sample: () => b({ assessment: { rationale: "forged" }, update_mask: "rationale" }), want: "refused" },
  ],
  "DELETE /api/3.0/mlflow/traces/{trace_id}/assessments/{assessment_id}": [
    { what: "delete the foreign trace's assessment", sample: () => ({}), want: "denied" },
    // deletion is idempotent (200 for an id that is not there): what matters is that the assessment stays
    { what: "delete the foreign assessment under the caller's own trace id", path: (ff) => ({ trace_id: ff.own.traceId }), sample: () => ({}), want: "allowed" },
  ],
  "PUT /api/2.0/mlflow-artifacts/artifacts/{path+}": [
    { what: "upload traces.json of the foreign trace under own experiment's folder", path: (ff) => ({ "path+": tracesJsonPath(ff.own.experimentId, ff.foreignTraceId) }), sample: spansJson, want: "denied" },
    { what: "upload traces.json of the foreign trace under its experiment's folder", path: (ff) => ({ "path+": tracesJsonPath(ff.foreignExperimentId, ff.foreignTraceId) }), sample: spansJson, want: "denied" },
    { what: "upload a file into the foreign trace's artifact folder", path: (ff) => ({ "path+": `${ff.foreignExperimentId}/traces/${ff.foreignTraceId}/artifacts/note.txt` }), sample: () => ({ body: "forged", headers: { "content-type": "text/plain" } }), want: "denied" },
  ],
  "DELETE /api/2.0/mlflow-artifacts/artifacts/{path+}": [
    { what: "delete the foreign trace's artifact folder, named under own experiment", path: (ff) => ({ "path+": `${ff.own.experimentId}/traces/${ff.foreignTraceId}/artifacts` }), sample: () => ({}), want: "denied" },
    { what: "delete the foreign trace's artifact folder", path: (ff) => ({ "path+": `${ff.foreignExperimentId}/traces/${ff.foreignTraceId}/artifacts` }), sample: () => ({}), want: "denied" },
  ],
  "POST /v1/traces": { notATraceWrite: "OTLP: spans of a foreign trace are rejected in partial_success — handled and tested with the OTLP ingest (issue #14, OTLP part)" },
  "POST /v1/metrics": { notATraceWrite: "accepted and ignored: stores nothing" },
  "POST /v1/logs": { notATraceWrite: "accepted and ignored: stores nothing" },

  // ---- reads sent as POST ----
  "POST /api/3.0/mlflow/traces/batchGet": READ_AS_POST,
  "POST /api/3.0/mlflow/traces/batchGetInfos": READ_AS_POST,
  "POST /api/3.0/mlflow/traces/search": READ_AS_POST,
  "POST /api/3.0/mlflow/traces/metrics": READ_AS_POST,
  "POST /api/2.0/mlflow/experiments/search": READ_AS_POST,

  // ---- experiments ----
  "POST /api/2.0/mlflow/experiments/create": NO_TRACE_EXPERIMENT,
  "POST /api/2.0/mlflow/experiments/update": NO_TRACE_EXPERIMENT,
  "POST /api/2.0/mlflow/experiments/delete": NO_TRACE_EXPERIMENT,
  "POST /api/2.0/mlflow/experiments/restore": NO_TRACE_EXPERIMENT,
  "POST /api/2.0/mlflow/experiments/set-experiment-tag": NO_TRACE_EXPERIMENT,
  "POST /api/2.0/mlflow/experiments/delete-experiment-tag": NO_TRACE_EXPERIMENT,

  // ---- accounts ----
  "POST /api/auth/[...nextauth]": NO_TRACE_ACCOUNTS,
  "POST /api/auth/setup": NO_TRACE_ACCOUNTS,
  "POST /api/auth/tokens": NO_TRACE_ACCOUNTS,
  "DELETE /api/auth/tokens/[id]": NO_TRACE_ACCOUNTS,
  "POST /api/ui/prices": { notATraceWrite: "price settings: names no trace" },
  "PUT /api/ui/prices/[id]": { notATraceWrite: "price settings: names no trace" },
  "DELETE /api/ui/prices/[id]": { notATraceWrite: "price settings: names no trace" },
  "POST /api/ui/prices/reprice": { notATraceWrite: "re-prices the spans whose cost flowtrace computed, in every experiment (admins only); names no trace" },
  "POST /api/auth/users": NO_TRACE_ACCOUNTS,
  "PATCH /api/auth/users/[username]": NO_TRACE_ACCOUNTS,
  "POST /api/2.0/mlflow/users/create": NO_TRACE_ACCOUNTS,
  "PATCH /api/2.0/mlflow/users/update-password": NO_TRACE_ACCOUNTS,
  "PATCH /api/2.0/mlflow/users/update-admin": NO_TRACE_ACCOUNTS,
  "DELETE /api/2.0/mlflow/users/delete": NO_TRACE_ACCOUNTS,
  "POST /api/2.0/mlflow/experiments/permissions/create": NO_TRACE_ACCOUNTS,
  "PATCH /api/2.0/mlflow/experiments/permissions/update": NO_TRACE_ACCOUNTS,
  "DELETE /api/2.0/mlflow/experiments/permissions/delete": NO_TRACE_ACCOUNTS,
};

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

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

/** `fixture()` for the caller, plus another experiment where the editor has only READ, with a trace that has a span, a tag, metadata, an assessment, a run link and a file. */
async function foreignFixture(): Promise<ForeignFixture> {
  const own = await fixture();
  const now = Date.now();
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES ($1, '', $2, $2) RETURNING experiment_id AS id`,
    [uniqueName("matrix-foreign"), now],
  );
  const foreignExperimentId = rows[0].id;
  await db.query(`UPDATE experiments SET artifact_location = 'mlflow-artifacts:/' || experiment_id WHERE experiment_id = $1`, [foreignExperimentId]);
  await db.query(`INSERT INTO experiment_permissions (experiment_id, user_id, permission) VALUES ($1, $2, 'READ')`, [foreignExperimentId, userIds.editor]);
  const foreignTraceId = newTraceId();
  await db.query(
    `INSERT INTO traces (trace_id, experiment_id, request_time, state, tags, trace_metadata, span_count, updated_at)
     VALUES ($1, $2, $3, 'OK', '{"owner": "victim"}', '{"m": "1"}', 1, $4)`,
    [foreignTraceId, foreignExperimentId, now, now - 3_600_000],
  );
  await db.query(
    `INSERT INTO spans (trace_id, span_id, experiment_id, name, span_type, start_time_ns, end_time_ns, status_code, attributes, events)
     VALUES ($1, '00000000000000a1', $2, 'root', 'CHAIN', $3, $4, 'OK', '{}', '[]')`,
    [foreignTraceId, foreignExperimentId, String(BigInt(now) * 1_000_000n), String(BigInt(now) * 1_000_000n + 1000n)],
  );
  const foreignAssessmentId = `a-${randomBytes(8).toString("hex")}`;
  await db.query(`INSERT INTO assessments (assessment_id, trace_id, name, kind, value, create_time, last_update_time) VALUES ($1, $2, 'q', 'feedback', '1', $3, $3)`, [foreignAssessmentId, foreignTraceId, now]);
  await db.query(`INSERT INTO trace_run_links (trace_id, run_id) VALUES ($1, 'victim-run')`, [foreignTraceId]);
  await db.query(`INSERT INTO artifacts (path, content, content_type, size, created_at) VALUES ($1, 'victim', 'text/plain', 6, $2)`, [`${foreignExperimentId}/traces/${foreignTraceId}/artifacts/note.txt`, now]);
  return { own, foreignExperimentId, foreignTraceId, foreignAssessmentId };
}

/** Everything a write could change about the foreign trace, as one comparable value. */
async function foreignState(ff: ForeignFixture): Promise<unknown> {
  const one = async (sql: string, v: unknown[]) => (await db.query(sql, v)).rows;
  return {
    trace: await one(`SELECT row_to_json(t) AS r FROM traces t WHERE trace_id = $1`, [ff.foreignTraceId]),
    spans: await one(`SELECT row_to_json(s) AS r FROM spans s WHERE trace_id = $1 ORDER BY span_id`, [ff.foreignTraceId]),
    assessments: await one(`SELECT row_to_json(a) AS r FROM assessments a WHERE trace_id = $1 ORDER BY assessment_id`, [ff.foreignTraceId]),
    links: await one(`SELECT run_id FROM trace_run_links WHERE trace_id = $1 ORDER BY run_id`, [ff.foreignTraceId]),
    files: await one(`SELECT path, encode(content, 'hex') AS c FROM artifacts WHERE left(path, length($1)) = $1 ORDER BY path`, [`${ff.foreignExperimentId}/`]),
  };
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

test("every write route has a foreign-trace entry (cases, or why it cannot touch a trace)", async () => {
  const writes = (await discover()).filter((t) => t.kind === "route" && WRITE_METHODS.has(t.method)).map((t) => t.key);
  const missing = writes.filter((k) => !FOREIGN[k]);
  assert.deepEqual(missing, [], `add these to FOREIGN in lib/auth/access-matrix.int.test.ts: requests naming a trace of an experiment the caller may only read, or why the route cannot touch a trace:\n${missing.join("\n")}`);
  const stale = Object.keys(FOREIGN).filter((k) => !writes.includes(k));
  assert.deepEqual(stale, [], `FOREIGN names routes that are not write routes (any more):\n${stale.join("\n")}`);
  for (const [k, e] of Object.entries(FOREIGN)) if (Array.isArray(e)) assert.ok(e.length > 0, `${k}: no foreign-trace case`);
});

test("a trace of an experiment the caller may only read cannot be written through any route, whatever experiment the request names", async () => {
  const targets = (await discover()).filter((t) => Array.isArray(FOREIGN[t.key]));
  assert.ok(targets.length >= 15, `only ${targets.length} trace-write routes found`);
  const mismatches: string[] = [];
  for (const t of targets) {
    for (const c of FOREIGN[t.key] as ForeignCase[]) {
      const ff = await foreignFixture();
      const before = await foreignState(ff);
      const sample = c.sample(ff);
      const over = c.path?.(ff) ?? {};
      let p = t.pattern
        .replace("{path+}", over["path+"] ?? `${ff.foreignExperimentId}/traces/${ff.foreignTraceId}/artifacts`)
        .replace("{trace_id}", over.trace_id ?? ff.foreignTraceId)
        .replace("{assessment_id}", ff.foreignAssessmentId);
      if (sample.query) p += `?${new URLSearchParams(sample.query as Record<string, string>)}`;
      const r = await call(srv.url, t.method, p, sample.body, { ...(sample.headers ?? {}), ...creds.editor });
      const got: ForeignVerdict | "other" = r.status === 403 ? "denied" : r.status >= 200 && r.status < 300 ? "allowed" : r.status >= 400 && r.status < 500 && r.status !== 401 ? "refused" : "other";
      if (got !== c.want) mismatches.push(`${t.key} — ${c.what}: expected ${c.want}, got ${r.status} ${r.text.slice(0, 160).replace(/\s+/g, " ")}`);
      else if (got === "denied" && (r.json as { error_code?: string })?.error_code !== "PERMISSION_DENIED") mismatches.push(`${t.key} — ${c.what}: 403 without error_code PERMISSION_DENIED: ${r.text.slice(0, 160)}`);
      const after = await foreignState(ff);
      try {
        assert.deepEqual(after, before);
      } catch {
        mismatches.push(`${t.key} — ${c.what}: the foreign trace changed (${r.status}):\n  before ${JSON.stringify(before)}\n  after  ${JSON.stringify(after)}`);
      }
    }
  }
  assert.deepEqual(mismatches, [], `\n${mismatches.join("\n")}`);
});
