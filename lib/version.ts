// The MLflow server version flowtrace reports on GET /version. Python clients only send spans
// incrementally over OTLP when this parses as >= 3.4 (spec §1.6, §4.1).
export const MLFLOW_COMPAT_VERSION = "3.6.0";

/**
 * The plain-text probes: GET /version (what MLflow clients check) and GET /health (load balancers). One
 * definition for the Next routes (app/version, app/health) and the node:http fast path (lib/http/api-node.ts).
 */
export const PROBES: Readonly<Record<"/version" | "/health", string>> = { "/version": MLFLOW_COMPAT_VERSION, "/health": "OK" };
export const PROBE_CONTENT_TYPE = "text/plain; charset=utf-8";

export function probeResponse(path: keyof typeof PROBES): Response {
  return new Response(PROBES[path], { headers: { "content-type": PROBE_CONTENT_TYPE } });
}
