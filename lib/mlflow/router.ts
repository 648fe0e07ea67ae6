// Path → handler for every MLflow REST route under /api (and, through the rewrite, /ajax-api). Literal
// segments always beat parameters, so /mlflow/traces/search is never taken for /mlflow/traces/{trace_id}
// (spec §5.1). Anything unknown answers ENDPOINT_NOT_FOUND so clients fall back correctly (§1.1).
import { HttpAnswer, envelopeText, type HttpRequest } from "../http/exchange";
import { mlflowErrorAnswer, type RouteHandler } from "./route";

const notFound = (message: string, headers?: Record<string, string>) =>
  new HttpAnswer(404, { "content-type": "application/json", ...headers }, envelopeText("ENDPOINT_NOT_FOUND", message));

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
  // routes by their first two segments when both are literal ("2.0/mlflow", "3.0/mlflow", …); the rest are
  // tried for every path. find() looks at one bucket instead of every route.
  private buckets = new Map<string, Compiled[]>();
  private unbucketed: Compiled[] = [];

  add(method: string | string[], path: string | string[], handler: RouteHandler): this {
    for (const m of Array.isArray(method) ? method : [method]) {
      for (const p of Array.isArray(path) ? path : [path]) {
        const segments = p.split("/").filter(Boolean).map((s) => {
          if (s.startsWith("{") && s.endsWith("+}")) return { kind: 2 as const, text: s.slice(1, -2) };
          if (s.startsWith("{") && s.endsWith("}")) return { kind: 1 as const, text: s.slice(1, -1) };
          return { kind: 0 as const, text: s };
        });
        const route: Compiled = { method: m.toUpperCase(), path: p, handler, segments };
        this.routes.push(route);
        if (segments.length >= 3 && segments[0].kind === 0 && segments[1].kind === 0) {
          const key = `${segments[0].text}/${segments[1].text}`;
          let bucket = this.buckets.get(key);
          if (!bucket) this.buckets.set(key, (bucket = [...this.unbucketed]));
          bucket.push(route);
        } else {
          this.unbucketed.push(route);
          for (const bucket of this.buckets.values()) bucket.push(route);
        }
      }
    }
    return this;
  }

  /** Every registered (method, path) pair, in registration order: the fuzz tests enumerate these. */
  entries(): readonly { method: string; path: string }[] {
    return this.routes.map((r) => ({ method: r.method, path: r.path }));
  }

  private static match(route: Compiled, parts: string[]): Record<string, string> | null {
    // literal segments first, without allocating: most routes differ there
    const segs = route.segments;
    if (segs.length > parts.length) return null;
    if (segs.length < parts.length && (segs.length === 0 || segs[segs.length - 1].kind !== 2)) return null;
    for (let i = 0; i < segs.length; i++) if (segs[i].kind === 0 && segs[i].text !== parts[i]) return null;
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
    const candidates = parts.length >= 3 ? (this.buckets.get(`${parts[0]}/${parts[1]}`) ?? this.unbucketed) : this.routes;
    for (const r of candidates) {
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

  async dispatch(req: HttpRequest, parts: string[]): Promise<HttpAnswer> {
    try {
      const found = this.find(req.method, parts);
      const shown = "/" + parts.join("/");
      if (!found) return notFound(`No API endpoint for ${req.method} ${shown}.`);
      if ("allowed" in found) {
        return notFound(`${req.method} is not supported for ${shown} (allowed: ${found.allowed.join(", ")}).`, { allow: found.allowed.join(", ") });
      }
      return await found.handler(req, found.params);
    } catch (err) {
      return mlflowErrorAnswer(err, `${req.method} /${parts.join("/")}`);
    }
  }
}
