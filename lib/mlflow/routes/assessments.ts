// Assessment routes (spec §7.2), under /api/3.0/mlflow/traces/{trace_id}/assessments.
import { z } from "zod";
import type { Access } from "../../auth/guard";
import { parseAssessment, parseUpdateMask } from "../assessments";
import { assessmentJson } from "../format";
import { parsedBy, requiredStr } from "../params";
import { mlflowRoute, noContent } from "../route";
import type { Router } from "../router";
import { createAssessment, deleteAssessment, getAssessment, updateAssessment } from "../../store/assessments";

const access = (level: "READ" | "EDIT") => (i: { trace_id: string }): Access => ({ kind: "trace", level, traceId: i.trace_id });

export function addAssessmentRoutes(r: Router): void {
  const base = "/3.0/mlflow/traces/{trace_id}/assessments";

  r.add("POST", base, mlflowRoute({
    schema: z.object({ trace_id: requiredStr(), assessment: parsedBy((v) => parseAssessment(v)) }),
    access: access("EDIT"),
    handler: async (i) => ({ assessment: assessmentJson(await createAssessment(i.trace_id, i.assessment)) }),
  }));

  r.add("GET", base + "/{assessment_id}", mlflowRoute({
    schema: z.object({ trace_id: requiredStr(), assessment_id: requiredStr() }),
    access: access("READ"),
    handler: async (i) => ({ assessment: assessmentJson(await getAssessment(i.trace_id, i.assessment_id)) }),
  }));

  r.add("PATCH", base + "/{assessment_id}", mlflowRoute({
    // (the mask is read before the assessment, as its refusal was reported first)
    schema: z.object({
      trace_id: requiredStr(),
      assessment_id: requiredStr(),
      update_mask: parsedBy(parseUpdateMask),
      assessment: parsedBy((v) => parseAssessment(v ?? {}, true)),
    }),
    access: access("EDIT"),
    handler: async (i) => ({ assessment: assessmentJson(await updateAssessment(i.trace_id, i.assessment_id, i.assessment, i.update_mask)) }),
  }));

  r.add("DELETE", base + "/{assessment_id}", mlflowRoute({
    schema: z.object({ trace_id: requiredStr(), assessment_id: requiredStr() }),
    access: access("EDIT"),
    handler: noContent((i) => deleteAssessment(i.trace_id, i.assessment_id)),
  }));
}
