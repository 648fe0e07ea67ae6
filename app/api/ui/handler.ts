// The one wrapper of the UI's JSON endpoints: authorization first, then the handler; ApiError becomes
// {"error_code", "message"} with its status, anything unexpected a 500 that leaks nothing.
import { AccessDenied, authorize, type Access } from "@/lib/auth/guard";
import { ApiError, databaseFault, logDatabaseFault } from "@/lib/errors";

type Ctx<P> = { params: Promise<P> };

export function uiRoute<P>(access: (params: P, req: Request) => Access, handler: (req: Request, params: P, url: URL) => Promise<unknown>) {
  return async (req: Request, ctx: Ctx<P>): Promise<Response> => {
    try {
      const params = await ctx.params;
      await authorize(req, access(params, req));
      const body = await handler(req, params, new URL(req.url));
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
      console.error("flowtrace: UI API error:", err);
      return Response.json({ error_code: "INTERNAL_ERROR", message: "Internal error" }, { status: 500 });
    }
  };
}
