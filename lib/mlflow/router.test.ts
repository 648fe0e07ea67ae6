import assert from "node:assert/strict";
import { test } from "node:test";
import { HttpAnswer } from "../http/exchange";
import type { RouteHandler } from "./route";
import { Router } from "./router";

const h = (name: string): RouteHandler => Object.assign(async () => new HttpAnswer(200, {}, name), { routeName: name });
const nameOf = (r: ReturnType<Router["find"]>) => (r && "handler" in r ? `${(r.handler as unknown as { routeName: string }).routeName} ${JSON.stringify(r.params)}` : JSON.stringify(r));

test("router: literal beats parameter beats rest, whatever the order routes were added in", () => {
  const r = new Router()
    .add("GET", "/2.0/mlflow-artifacts/artifacts/{path+}", h("rest"))
    .add("GET", "/3.0/mlflow/traces/{trace_id}", h("param"))
    .add("POST", "/3.0/mlflow/traces/search", h("search"))
    .add("GET", "/3.0/mlflow/traces/search", h("search-get"))
    .add(["GET", "POST"], ["/2.0/mlflow/experiments/get", "/2.0/preview/mlflow/experiments/get"], h("get"))
    .add("GET", "/version2", h("short"))
    .add("DELETE", "/3.0/mlflow/traces/{trace_id}/tags", h("tag"));
  assert.equal(nameOf(r.find("GET", ["3.0", "mlflow", "traces", "search"])), "search-get {}");
  assert.equal(nameOf(r.find("GET", ["3.0", "mlflow", "traces", "tr-1"])), 'param {"trace_id":"tr-1"}');
  assert.equal(nameOf(r.find("HEAD", ["3.0", "mlflow", "traces", "tr-1"])), 'param {"trace_id":"tr-1"}');
  assert.equal(nameOf(r.find("GET", ["2.0", "mlflow-artifacts", "artifacts", "1", "traces", "x", "traces.json"])), 'rest {"path":"1/traces/x/traces.json"}');
  assert.equal(nameOf(r.find("GET", ["2.0", "mlflow-artifacts", "artifacts"])), "null", "a rest parameter takes at least one segment");
  assert.equal(nameOf(r.find("POST", ["2.0", "preview", "mlflow", "experiments", "get"])), "get {}");
  assert.equal(nameOf(r.find("GET", ["version2"])), "short {}");
  assert.equal(nameOf(r.find("PUT", ["3.0", "mlflow", "traces", "tr-1", "tags"])), '{"allowed":["DELETE"]}');
  assert.equal(nameOf(r.find("GET", ["3.0", "mlflow", "traces", "tr-1", "tags", "more"])), "null");
  assert.equal(nameOf(r.find("GET", ["9.9", "mlflow", "traces", "x"])), "null");
  assert.equal(nameOf(r.find("GET", [])), "null");
});

test("router: a route added after others with a short or parameter prefix is still found", () => {
  const r = new Router().add("GET", "/{any}/x/y", h("param-first")).add("GET", "/2.0/mlflow/runs/get", h("runs"));
  assert.equal(nameOf(r.find("GET", ["2.0", "mlflow", "runs", "get"])), "runs {}");
  assert.equal(nameOf(r.find("GET", ["3.0", "x", "y"])), 'param-first {"any":"3.0"}');
  const r2 = new Router().add("GET", "/2.0/mlflow/runs/get", h("runs")).add("GET", "/{any}/mlflow/runs/get", h("param-later"));
  assert.equal(nameOf(r2.find("GET", ["2.0", "mlflow", "runs", "get"])), "runs {}");
  assert.equal(nameOf(r2.find("GET", ["7.0", "mlflow", "runs", "get"])), 'param-later {"any":"7.0"}');
});
