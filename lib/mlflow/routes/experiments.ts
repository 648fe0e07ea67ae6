// Experiments API (spec §2.2), mounted under /api/2.0/mlflow/experiments/….
import { z } from "zod";
import { experimentListFilter, grantCreatorManage } from "../../auth/guard";
import { experimentJson } from "../format";
import { idStr, int32, keyValueList, requiredStr, str, strList, tagValue } from "../params";
import { mlflowRoute, noContent } from "../route";
import type { Router } from "../router";
import { searchExperiments, type ViewType } from "../../search/experiments";
import {
  createExperiment,
  deleteExperiment,
  deleteExperimentTag,
  getExperiment,
  getExperimentByName,
  renameExperiment,
  restoreExperiment,
  setExperimentTag,
} from "../../store/experiments";

const exp = (level: "READ" | "EDIT" | "MANAGE") => (i: { experiment_id: string }) => ({ kind: "experiment" as const, level, experimentId: i.experiment_id });

export function addExperimentRoutes(r: Router, prefixes: string[]): void {
  const p = (path: string) => prefixes.map((x) => x + path);

  r.add("POST", p("/experiments/create"), mlflowRoute({
    schema: z.object({ name: requiredStr(), artifact_location: str().optional(), tags: keyValueList().optional() }),
    access: () => ({ kind: "authenticated" }),
    handler: async (i, ctx) => {
      const id = await createExperiment({ name: i.name, artifactLocation: i.artifact_location, tags: i.tags });
      await grantCreatorManage(ctx.req, id);
      return { experiment_id: id };
    },
  }));

  r.add("GET", p("/experiments/get"), mlflowRoute({
    schema: z.object({ experiment_id: idStr() }),
    access: exp("READ"),
    handler: async (i) => ({ experiment: experimentJson(await getExperiment(i.experiment_id)) }),
  }));

  r.add("GET", p("/experiments/get-by-name"), mlflowRoute({
    schema: z.object({ experiment_name: requiredStr() }),
    access: async (i) => {
      const e = await getExperimentByName(i.experiment_name).catch(() => null);
      return e ? { kind: "experiment", level: "READ", experimentId: String(e.experimentId) } : { kind: "authenticated" };
    },
    handler: async (i) => ({ experiment: experimentJson(await getExperimentByName(i.experiment_name)) }),
  }));

  r.add(["POST", "GET"], p("/experiments/search"), mlflowRoute({
    schema: z.object({
      max_results: int32().optional(),
      page_token: str().optional(),
      filter: str().optional(),
      order_by: strList().optional(),
      view_type: z.preprocess((v) => (Array.isArray(v) ? v[v.length - 1] : v), z.union([z.string(), z.number()])).optional(),
    }),
    access: () => ({ kind: "authenticated" }),
    handler: async (i, ctx) => {
      const { rows, nextPageToken } = await searchExperiments({
        visibility: await experimentListFilter(ctx.req),
        filter: i.filter,
        orderBy: i.order_by,
        maxResults: i.max_results,
        pageToken: i.page_token || undefined,
        viewType: i.view_type === undefined ? undefined : (String(i.view_type).toUpperCase() as ViewType),
      });
      const experiments = rows.map(experimentJson);
      return nextPageToken ? { experiments, next_page_token: nextPageToken } : { experiments };
    },
  }));

  r.add("POST", p("/experiments/update"), mlflowRoute({
    schema: z.object({ experiment_id: idStr(), new_name: requiredStr() }),
    access: exp("MANAGE"),
    handler: noContent((i) => renameExperiment(i.experiment_id, i.new_name)),
  }));

  // delete and restore: the experiment id in, nothing out
  for (const [path, act] of [["/experiments/delete", deleteExperiment], ["/experiments/restore", restoreExperiment]] as const) {
    r.add("POST", p(path), mlflowRoute({
      schema: z.object({ experiment_id: idStr() }),
      access: exp("MANAGE"),
      handler: async (i) => {
        await act(i.experiment_id);
        return {};
      },
    }));
  }

  r.add("POST", p("/experiments/set-experiment-tag"), mlflowRoute({
    schema: z.object({ experiment_id: idStr(), key: requiredStr(), value: tagValue() }),
    access: exp("EDIT"),
    handler: noContent((i) => setExperimentTag(i.experiment_id, i.key, i.value)),
  }));

  r.add("POST", p("/experiments/delete-experiment-tag"), mlflowRoute({
    schema: z.object({ experiment_id: idStr(), key: requiredStr() }),
    access: exp("EDIT"),
    handler: noContent((i) => deleteExperimentTag(i.experiment_id, i.key)),
  }));

}
