// The mlflow-artifacts proxy (spec §4.5) and the UI's get-trace-artifact (§5.4). A trace's traces.json is
// not a file here: an upload is parsed into span rows (merging with spans that came by OTLP), and a
// download is regenerated from those rows in span-dict format A, so every path reads the same data.
import { z } from "zod";
import type { Access } from "../../auth/guard";
import { ApiError, invalidParameter, notFound } from "../../errors";
import { isExperimentId } from "../../experiment-id";
import { headerValue, HttpAnswer, jsonAnswer } from "../../http/exchange";
import { parseJson } from "../json";
import { parsedBy, str } from "../params";
import { mlflowRoute } from "../route";
import type { Router } from "../router";
import { getPool } from "../../db";
import { deleteArtifact, getArtifact, listArtifacts, normalizeArtifactPath, putArtifact, type ArtifactFile } from "../../store/artifacts";
import { ingestSpans } from "../../store/ingest";
import { loadSpans } from "../../store/spans";
import { traceExperimentId } from "../../store/traces";
import { decodeSpanDicts } from "../../tracing/span-dict";
import { toSpanDictV3 } from "../../tracing/encode";

const TRACE_DATA = /^(.+)\/traces\/([^/]+)\/artifacts\/traces\.json$/;
const TRACE_DIR = /^(.+)\/traces\/([^/]+)\/artifacts$/;

/** The experiment whose artifact root is `prefix` (normally "<id>" of mlflow-artifacts:/<id>). */
async function experimentForPrefix(prefix: string): Promise<string | null> {
  const { rows } = await getPool().query<{ id: string }>(
    `SELECT experiment_id AS id FROM experiments
      WHERE artifact_location = ANY($1::text[]) OR ($2::text IS NOT NULL AND experiment_id = $2::bigint)
      ORDER BY (artifact_location = ANY($1::text[])) DESC LIMIT 1`,
    [[`mlflow-artifacts:/${prefix}`, `mlflow-artifacts:///${prefix}`], isExperimentId(prefix) ? prefix : null],
  );
  return rows[0]?.id ?? null;
}

/**
 * What a path needs: a trace's data or folder goes by the experiment that owns the trace (whatever folder the
 * path names), "<experiment id>/…" by that experiment, anything else by the experiments whose artifact location
 * holds it, and a path no experiment holds is readable by any signed-in user and writable only by admins
 * (issue #14: any signed-in user could delete an admin's files there). See lib/auth/README.md.
 */
function accessFor(path: string, level: "READ" | "EDIT"): Access {
  const m = TRACE_DATA.exec(path) ?? TRACE_DIR.exec(path);
  if (m) return { kind: "trace", level, traceId: m[2] };
  const first = path.split("/")[0];
  if (isExperimentId(first)) return { kind: "experiment", level, experimentId: first };
  // the listing of the root ("") names no folder: as before, any signed-in user (it shows names only)
  return path === "" ? { kind: "authenticated" } : { kind: "artifact", level, path };
}

const decoder = new TextDecoder();

async function traceDataResponse(traceId: string, headers?: Record<string, string>): Promise<HttpAnswer> {
  const spans = (await loadSpans([traceId])).get(traceId);
  if (!spans?.length) {
    if (!(await traceExperimentId(traceId))) throw notFound(`Trace with ID '${traceId}' not found.`);
    throw notFound(`No trace data stored for trace with ID '${traceId}'.`);
  }
  return jsonAnswer({ spans: spans.map(toSpanDictV3) }, 200, headers);
}

export function addArtifactRoutes(r: Router): void {
  const base = "/2.0/mlflow-artifacts/artifacts";
  const pathSchema = z.object({ path: z.string() });

  r.add("PUT", base + "/{path+}", mlflowRoute({
    schema: pathSchema,
    body: "raw",
    access: (i) => accessFor(normalizeArtifactPath(i.path), "EDIT"),
    handler: async (i, ctx) => {
      const path = normalizeArtifactPath(i.path);
      const body = ctx.rawBody ?? new Uint8Array(0);
      const m = TRACE_DATA.exec(path);
      if (!m) {
        await putArtifact(path, body, headerValue(ctx.req.headers, "content-type"));
        return {};
      }
      const traceId = m[2];
      let doc: unknown;
      try {
        doc = parseJson(decoder.decode(body));
      } catch (err) {
        throw invalidParameter(`Malformed JSON in traces.json: ${(err as Error).message}`);
      }
      // The trace's own experiment wins over the path, so its spans can never be filed under another one. The
      // write itself ensures that (spans take their trace row's experiment), so the usual upload, to
      // mlflow-artifacts:/<experiment id>/traces/…, goes straight to it without looking the trace up first;
      // when that experiment is not there to write to, the trace's own experiment is looked up as before.
      if (isExperimentId(m[1])) {
        try {
          await ingestSpans(m[1], decodeSpanDicts(doc, { traceId }));
          return {};
        } catch (err) {
          if (!(err instanceof ApiError && (err.code === "RESOURCE_DOES_NOT_EXIST" || err.code === "INVALID_PARAMETER_VALUE"))) throw err;
        }
      }
      const experimentId = (await traceExperimentId(traceId)) ?? (await experimentForPrefix(m[1]));
      if (!experimentId) throw notFound(`No experiment has the artifact location 'mlflow-artifacts:/${m[1]}' and trace '${traceId}' does not exist.`);
      await ingestSpans(experimentId, decodeSpanDicts(doc, { traceId }));
      return {};
    },
  }));

  r.add("GET", base + "/{path+}", mlflowRoute({
    schema: pathSchema,
    access: (i) => accessFor(normalizeArtifactPath(i.path), "READ"),
    handler: async (i) => {
      const path = normalizeArtifactPath(i.path);
      const m = TRACE_DATA.exec(path);
      if (m) return traceDataResponse(m[2]);
      const a = await getArtifact(path);
      if (!a) throw notFound(`Artifact '${path}' does not exist.`);
      const name = path.split("/").pop() ?? "artifact";
      return new HttpAnswer(200, {
        "content-type": a.contentType || "application/octet-stream",
        "content-disposition": `attachment; filename="${name.replace(/["\\\r\n]/g, "_")}"`,
        "x-content-type-options": "nosniff",
      }, new Uint8Array(a.content));
    },
  }));

  r.add("GET", base, mlflowRoute({
    schema: z.object({ path: str().optional() }),
    access: (i) => accessFor(normalizeArtifactPath(i.path ?? "", true), "READ"),
    handler: async (i) => {
      const dir = normalizeArtifactPath(i.path ?? "", true);
      const files: ArtifactFile[] = await listArtifacts(dir);
      const m = TRACE_DIR.exec(dir);
      if (m && !files.some((f) => f.path === `${dir}/traces.json`)) {
        const { rows } = await getPool().query<{ n: string; bytes: string }>(
          `SELECT count(*) AS n, COALESCE(sum(octet_length(attributes::text) + COALESCE(octet_length(inputs), 0) + COALESCE(octet_length(outputs), 0)), 0) AS bytes
             FROM spans WHERE trace_id = $1`,
          [m[2]],
        );
        if (Number(rows[0].n) > 0) files.unshift({ path: `${dir}/traces.json`, is_dir: false, file_size: Number(rows[0].bytes) });
      }
      return files.length ? { files } : {};
    },
  }));

  r.add("DELETE", base + "/{path+}", mlflowRoute({
    schema: pathSchema,
    access: (i) => accessFor(normalizeArtifactPath(i.path), "EDIT"),
    handler: async (i) => {
      const path = normalizeArtifactPath(i.path);
      if (TRACE_DATA.test(path)) {
        throw invalidParameter("Trace data is stored in the tracking store; delete the trace (POST /api/2.0/mlflow/traces/delete-traces) instead of its traces.json.");
      }
      await deleteArtifact(path);
      return {};
    },
  }));

  // The MLflow UI's download of a trace's span data (§5.4): an attachment, never rendered by the browser.
  r.add("GET", ["/2.0/mlflow/get-trace-artifact", "/3.0/mlflow/get-trace-artifact"], mlflowRoute({
    // A repeated query key counts as its first value, for the access check as for the answer: the check used
    // to see the list, take it for no id and ask only for a signed-in caller, while the answer read the first.
    schema: z.object({ request_id: parsedBy((v): unknown => (Array.isArray(v) ? v[0] : v)).optional() }),
    access: (i) => (typeof i.request_id === "string" && i.request_id ? { kind: "trace", level: "READ", traceId: i.request_id } : { kind: "authenticated" }),
    handler: async (i) => {
      const id = i.request_id;
      if (typeof id !== "string" || !id) throw new ApiError("BAD_REQUEST", "Missing value for required parameter 'request_id'.");
      return traceDataResponse(id, {
        "content-type": "application/octet-stream",
        "content-disposition": "attachment; filename=traces.json",
        "x-content-type-options": "nosniff",
      });
    },
  }));
}
