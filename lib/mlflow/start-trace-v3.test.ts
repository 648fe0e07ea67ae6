import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../errors";
import { zodToApiError } from "./params";
import { startTraceV3Schema } from "./start-trace-v3";

const loc = { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "7" } };

/** The refusal the route answers for `body`, or the parsed request. */
function parse(body: unknown) {
  const r = startTraceV3Schema.safeParse(body);
  return r.success ? r.data.trace : zodToApiError(r.error, body);
}
const message = (body: unknown) => {
  const r = parse(body);
  assert.ok(r instanceof ApiError, "expected a refusal");
  return `${r.status} ${r.code}: ${r.message}`;
};

test("StartTraceV3 schema: a full TraceInfoV3 becomes the store's input, defaults filled in", () => {
  const r = parse({
    trace: {
      trace_info: {
        trace_id: "tr-1", trace_location: loc, request_time: "2024-06-15T14:07:41.282Z", execution_duration: "1.5s", state: "OK",
        request_metadata: [{ key: "m", value: "1" }], tags: { t: "x", n: 5 }, client_request_id: "c", request_preview: "q", response_preview: "a",
      },
    },
  });
  assert.ok(!(r instanceof ApiError));
  assert.deepEqual(r.info, {
    traceId: "tr-1", experimentId: "7", clientRequestId: "c", requestTimeMs: 1718460461282, executionDurationMs: 1500, state: "OK",
    requestPreview: "q", responsePreview: "a", metadata: { m: "1" }, tags: { t: "x", n: "5" },
  });
  assert.deepEqual(r.assessments, []);
  const minimal = parse({ trace: { trace_info: { trace_id: "tr-2", trace_location: { mlflow_experiment: { experiment_id: 8 } } } } });
  assert.ok(!(minimal instanceof ApiError));
  assert.equal(minimal.info.experimentId, "8");
  assert.equal(minimal.info.state, "STATE_UNSPECIFIED");
  assert.equal(minimal.info.executionDurationMs, null);
  assert.ok(Math.abs(minimal.info.requestTimeMs - Date.now()) < 60_000);
});

test("StartTraceV3 schema: refusals keep MLflow's wording, the first problem in field order", () => {
  const missing = (p: string) => `400 INVALID_PARAMETER_VALUE: Missing value for required parameter '${p}'. See the API docs for more information about request parameters.`;
  assert.equal(message({}), missing("trace"));
  assert.equal(message({ trace: "x" }), missing("trace"));
  assert.equal(message({ trace: {} }), missing("trace.trace_info"));
  assert.equal(message({ trace: { trace_info: { trace_location: loc } } }), missing("trace.trace_info.trace_id"));
  assert.equal(message({ trace: { trace_info: { trace_id: 5, trace_location: loc } } }), missing("trace.trace_info.trace_id"));
  assert.equal(message({ trace: { trace_info: { trace_id: "t".repeat(201), trace_location: loc } } }), "400 INVALID_PARAMETER_VALUE: Invalid value for parameter 'trace.trace_info.trace_id' supplied: longer than 200 characters.");
  assert.equal(message({ trace: { trace_info: { trace_id: "t" } } }), missing("trace.trace_info.trace_location.mlflow_experiment.experiment_id"));
  assert.equal(message({ trace: { trace_info: { trace_id: "t", trace_location: { type: "UC_SCHEMA" } } } }), "400 INVALID_PARAMETER_VALUE: Unsupported trace location type 'UC_SCHEMA': this server stores traces in MLflow experiments only.");
  assert.match(message({ trace: { trace_info: { trace_id: "t", trace_location: loc, execution_duration: "soon" } } }), /^400 INVALID_PARAMETER_VALUE: .*'trace\.trace_info\.execution_duration'/);
  assert.equal(message({ trace: { trace_info: { trace_id: "t", trace_location: loc, tags: "x" } } }), "400 INVALID_PARAMETER_VALUE: Invalid value for parameter 'trace.trace_info.tags' supplied: expected a map of strings.");
  assert.equal(message({ trace: { trace_info: { trace_id: "t", trace_location: loc, trace_metadata: 3 } } }), "400 INVALID_PARAMETER_VALUE: Invalid value for parameter 'trace.trace_info.trace_metadata' supplied: expected a map of strings.");
  assert.equal(message({ trace: { trace_info: { trace_id: "t", trace_location: loc, request_preview: 1 } } }), "400 INVALID_PARAMETER_VALUE: Invalid value for parameter 'trace.trace_info.request_preview' supplied: expected a string.");
  assert.match(message({ trace: { trace_info: { trace_id: "t", trace_location: loc, state: "DONE" } } }), /^400 INVALID_PARAMETER_VALUE: Invalid value "DONE" for parameter 'trace\.trace_info\.state' supplied: expected one of/);
  // the trace id comes before the location, as the handler checked them
  assert.equal(message({ trace: { trace_info: {} } }), missing("trace.trace_info.trace_id"));
});

test("StartTraceV3 schema: assessments without an id get one derived from the trace and their place", () => {
  const a = { assessment_name: "q", feedback: { value: 1 }, source: { source_type: "HUMAN", source_id: "u" } };
  const one = parse({ trace: { trace_info: { trace_id: "t", trace_location: loc, assessments: [a] } } });
  const again = parse({ trace: { trace_info: { trace_id: "t", trace_location: loc, assessments: [a] } } });
  assert.ok(!(one instanceof ApiError) && !(again instanceof ApiError));
  assert.match(one.assessments[0].assessmentId!, /^a-[0-9a-f]{32}$/);
  assert.equal(one.assessments[0].assessmentId, again.assessments[0].assessmentId);
});

test("StartTraceV3 schema: execution_duration_ms is read only without execution_duration", () => {
  const both = parse({ trace: { trace_info: { trace_id: "t", trace_location: loc, execution_duration: "2s", execution_duration_ms: "junk" } } });
  assert.ok(!(both instanceof ApiError));
  assert.equal(both.info.executionDurationMs, 2000);
  const ms = parse({ trace: { trace_info: { trace_id: "t", trace_location: loc, execution_duration_ms: 250 } } });
  assert.ok(!(ms instanceof ApiError));
  assert.equal(ms.info.executionDurationMs, 250);
});
