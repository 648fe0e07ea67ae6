// Path → handler for every MLflow REST route under /api (and, through the rewrite, /ajax-api). Literal
// segments always beat parameters, so /mlflow/traces/search is never taken for /mlflow/traces/{trace_id}
// (spec §5.1). Anything unknown answers ENDPOINT_NOT_FOUND so clients fall back correctly (§1.1).
import { errorResponse, toErrorResponse, type RouteHandler } from "./route";

export interface RouteEntry {
  method: string;
  /** e.g. "/2.0/mlflow/traces/{request_id}/tags"; "{path+}" takes the rest of the path */
  path: string;
  handler: RouteHandler;
}

interface Compiled extends RouteEntry {
  segments: { kind: 0 | 1 | 2; text: string }[];
}

export class Router {
  private routes: Compiled[] = [];

  add(method: string | string[], path: string | string[], handler: RouteHandler): this {
    for (const m of Array.isArray(method) ? method : [method]) {
      for (const p of Array.isArray(path) ? path : [path]) {
        const segments = p.split("/").filter(Boolean).map((s) => {
          if (s.startsWith("{") && s.endsWith("+}")) return { kind: 2 as const, text: s.slice(1, -2) };
          if (s.startsWith("{") && s.endsWith("}")) return { kind: 1 as const, text: s.slice(1, -1) };
          return { kind: 0 as const, text: s };
        });
        this.routes.push({ method: m.toUpperCase(), path: p, handler, segments });
      }
    }
    return this;
  }

  private static match(route: Compiled, parts: string[]): Record<string, string> | null {
    const params: Record<string, string> = {};
    for (let i = 0; i < route.segments.length; i++) {
      const seg = route.segments[i];
      if (seg.kind === 2) {
        if (i >= parts.length) return null;
        params[seg.text] = parts.slice(i).join("/");
        return params;
      }
      if (i >= parts.length) return null;
      if (seg.kind === 0 && seg.text !== parts[i]) return null;
      if (seg.kind === 1) params[seg.text] = parts[i];
    }
    return route.segments.length === parts.length ? params : null;
  }

  /** The most specific route for the path: compared segment by segment, literal < parameter < rest. */
  find(method: string, parts: string[]): { handler: RouteHandler; params: Record<string, string> } | { allowed: string[] } | null {
    let best: { route: Compiled; params: Record<string, string> } | null = null;
    const allowed = new Set<string>();
    const m = method.toUpperCase();
    for (const r of this.routes) {
      const params = Router.match(r, parts);
      if (!params) continue;
      // HEAD is GET without the body (as in MLflow's Flask server); the HTTP layer drops the body
      if (r.method !== m && !(m === "HEAD" && r.method === "GET")) {
        allowed.add(r.method);
        continue;
      }
      if (!best || Router.moreSpecific(r, best.route)) best = { route: r, params };
    }
    if (best) return { handler: best.route.handler, params: best.params };
    return allowed.size ? { allowed: [...allowed] } : null;
  }

  private static moreSpecific(a: Compiled, b: Compiled): boolean {
    const n = Math.max(a.segments.length, b.segments.length);
    for (let i = 0; i < n; i++) {
      const ka = a.segments[i]?.kind ?? 3;
      const kb = b.segments[i]?.kind ?? 3;
      if (ka !== kb) return ka < kb;
    }
    return false;
  }

  async dispatch(req: Request, parts: string[]): Promise<Response> {
    try {
      const found = this.find(req.method, parts);
      const shown = "/" + parts.join("/");
      if (!found) return errorResponse("ENDPOINT_NOT_FOUND", `No API endpoint for ${req.method} ${shown}.`, 404);
      if ("allowed" in found) {
        return errorResponse("ENDPOINT_NOT_FOUND", `${req.method} is not supported for ${shown} (allowed: ${found.allowed.join(", ")}).`, 404, { allow: found.allowed.join(", ") });
      }
      return await found.handler(req, found.params);
    } catch (err) {
      return toErrorResponse(err, `${req.method} /${parts.join("/")}`);
    }
  }
}
