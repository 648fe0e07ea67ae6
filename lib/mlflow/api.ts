// The MLflow REST API of flowtrace: every route family registered on one router. The production server
// hands it /api/** and /ajax-api/** straight from node:http (lib/server/api-node.ts); app/api/[...path]
// does the same under `next dev` (/ajax-api/** through the rewrite in next.config.mjs).
import { Router } from "./router";
import { addArtifactRoutes } from "./routes/artifacts";
import { addAssessmentRoutes } from "./routes/assessments";
import { addExperimentRoutes } from "./routes/experiments";
import { addTraceRoutes } from "./routes/traces";

let router: Router | undefined;

export function mlflowRouter(): Router {
  if (!router) {
    router = new Router();
    addExperimentRoutes(router, ["/2.0/mlflow", "/2.0/preview/mlflow"]);
    addTraceRoutes(router);
    addAssessmentRoutes(router);
    addArtifactRoutes(router);
  }
  return router;
}

/** Handles a request whose path below /api is `parts`. */
export function handleApiRequest(req: Request, parts: string[]): Promise<Response> {
  return mlflowRouter().dispatch(req, parts);
}
