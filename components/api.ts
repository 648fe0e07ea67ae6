// Browser-side calls to the server's JSON endpoints (the MLflow REST routes under /ajax-api, the UI's own
// /api/ui and the account routes under /api/auth). Errors arrive as {"error_code", "message"} and surface
// as ApiClientError. Same-origin, so the browser adds Origin and Sec-Fetch-Site for the CSRF check; the
// x-flowtrace-csrf header is its answer for a browser that sends neither (no cross-site form can set it).

export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function apiFetch<T = unknown>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: init.body === undefined ? { "x-flowtrace-csrf": "1" } : { "content-type": "application/json", "x-flowtrace-csrf": "1" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
    cache: "no-store",
    credentials: "same-origin",
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const j = (json ?? {}) as { error_code?: string; message?: string };
    throw new ApiClientError(res.status, j.error_code ?? `HTTP_${res.status}`, j.message ?? (text.slice(0, 300) || res.statusText));
  }
  return json as T;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiClientError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
