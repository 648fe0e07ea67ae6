// The MLflow REST API of flowtrace: every route family registered on one router. The server hands it
// /api/** and /ajax-api/** straight from node:http (lib/http/node.ts); app/api/[...path] is the Next adapter
// for the paths the server leaves to Next (/ajax-api/** through the rewrite in next.config.mjs).
import type { HttpAnswer, HttpRequest } from "../http/exchange";
import { Router } from "./router";
import { addArtifactRoutes } from "./routes/artifacts";
import { addAssessmentRoutes } from "./routes/assessments";
import { addExperimentRoutes } from "./routes/experiments";
import { addMetricsRoutes } from "./routes/metrics";
import { addTraceRoutes } from "./routes/traces";

let router: Router | undefined;

export function mlflowRouter(): Router {
  if (!router) {
    router = new Router();
    addExperimentRoutes(router, ["/2.0/mlflow", "/2.0/preview/mlflow"]);
    addTraceRoutes(router);
    addMetricsRoutes(router);
    addAssessmentRoutes(router);
    addArtifactRoutes(router);
  }
  return router;
}

/** Handles a request whose path below /api is `parts`. */
export function handleApiRequest(req: HttpRequest, parts: string[]): Promise<HttpAnswer> {
  return mlflowRouter().dispatch(req, parts);
}
