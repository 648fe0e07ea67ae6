// The one wrapper of the UI's JSON endpoints: the request as the HTTP core's plain data, authorization first,
// then the handler; ApiError becomes {"error_code", "message"} with its status (the one error serializer),
// anything unexpected a 500 that leaks nothing.
import { authorize, type Access } from "@/lib/auth/guard";
import { errorAnswer, HttpAnswer, type HttpRequest } from "@/lib/http/exchange";
import { webRequest, webResponse } from "@/lib/http/web";
import { assertNoNul } from "@/lib/input-limits";
import { bodyTooLarge, maxBodyBytes } from "@/lib/mlflow/route";

type Ctx<P> = { params: Promise<P> };

const NO_STORE = { "cache-control": "no-store" };

/** A UI answer that is JSON text already (the span skeleton is built as text in SQL). */
export function jsonTextAnswer(text: string): HttpAnswer {
  return new HttpAnswer(200, { "content-type": "application/json", ...NO_STORE }, text);
}

export function uiRoute<P>(access: (params: P, req: HttpRequest) => Access, handler: (req: HttpRequest, params: P, url: URL) => Promise<unknown>) {
  return async (request: Request, ctx: Ctx<P>): Promise<Response> => {
    try {
      const params = await ctx.params;
      const req = await webRequest(request, maxBodyBytes(), bodyTooLarge);
      const url = new URL(req.url, "http://localhost");
      // path segments and query values reach SQL: PostgreSQL text cannot hold U+0000, refuse it by name
      assertNoNul(params as Record<string, unknown>);
      assertNoNul(Object.fromEntries(url.searchParams));
      await authorize(req, access(params, req));
      const body = await handler(req, params, url);
      if (body instanceof HttpAnswer) return webResponse(body);
      return Response.json(body, { headers: NO_STORE });
    } catch (err) {
      // no WWW-Authenticate on a 401: the browser would prompt for Basic credentials over the UI
      return webResponse(errorAnswer(err, `UI API ${new URL(request.url).pathname}`));
    }
  };
}
