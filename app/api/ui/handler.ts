// The one wrapper of the UI's JSON endpoints: authorization first, then the handler; ApiError becomes
// {"error_code", "message"} with its status, anything unexpected a 500 that leaks nothing.
import { authorize, type Access } from "@/lib/auth/guard";
import { errorAnswer } from "@/lib/http/exchange";
import { webResponse } from "@/lib/http/web";
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
      // no WWW-Authenticate on a 401: the browser would prompt for Basic credentials over the UI
      return webResponse(errorAnswer(err, `UI API ${new URL(req.url).pathname}`));
    }
  };
}
