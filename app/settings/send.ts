// The settings pages' JSON calls: same-origin fetch (the browser adds Origin and Sec-Fetch-Site, which
// the CSRF check requires), MLflow's error envelope turned into an Error with its message.
export async function send<T = unknown>(method: string, url: string, body?: unknown): Promise<T> {
  const r = await fetch(url, {
    method,
    headers: body === undefined ? { "x-flowtrace-csrf": "1" } : { "content-type": "application/json", "x-flowtrace-csrf": "1" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await r.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!r.ok) throw new Error(typeof json.message === "string" ? json.message : `Request failed (${r.status})`);
  return json as T;
}

export function formatTime(ms: number | null): string {
  if (ms === null) return "never";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
