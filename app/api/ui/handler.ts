// The one wrapper of the UI's JSON endpoints: authorization first, then the handler; ApiError becomes
// {"error_code", "message"} with its status, anything unexpected a 500 that leaks nothing.
import { AccessDenied, authorize, type Access } from "@/lib/auth/guard";
import { ApiError, classifyInputError, databaseFault, logDatabaseFault } from "@/lib/errors";
import { assertNoNul } from "@/lib/input-limits";

type Ctx<P> = { params: Promise<P> };

export function uiRoute<P>(access: (params: P, req: Request) => Access, handler: (req: Request, params: P, url: URL) => Promise<unknown>) {
  return async (req: Request, ctx: Ctx<P>): Promise<Response> => {
    try {
      const params = await ctx.params;
      const url = new URL(req.url);
      // path segments and query values reach SQL: PostgreSQL text cannot hold U+0000, refuse it by name
      assertNoNul(params as Record<string, unknown>);
      assertNoNul(Object.fromEntries(url.searchParams));
      await authorize(req, access(params, req));
      const body = await handler(req, params, url);
      if (body instanceof Response) return body;
      return Response.json(body, { headers: { "cache-control": "no-store" } });
    } catch (err) {
      const fault = databaseFault(err);
      if (fault) logDatabaseFault(`UI API ${new URL(req.url).pathname}`, fault, err);
      if (fault) return Response.json({ error_code: fault.code, message: fault.message }, { status: fault.status, headers: fault.headers });
      if (err instanceof ApiError) return Response.json({ error_code: err.code, message: err.message }, { status: err.status, headers: err.headers });
      if (err instanceof AccessDenied) {
        return Response.json({ error_code: err.status === 401 ? "UNAUTHENTICATED" : "PERMISSION_DENIED", message: err.message }, { status: err.status });
      }
      const input = classifyInputError(err);
      if (input) return Response.json({ error_code: input.code, message: input.message }, { status: input.status });
      console.error("flowtrace: UI API error:", err);
      return Response.json({ error_code: "INTERNAL_ERROR", message: "Internal error" }, { status: 500 });
    }
  };
}
