// One HTTP request with the path sent byte for byte (fetch re-encodes some paths and refuses methods such as
// TRACE), for tests that send malformed requests on purpose.
import http from "node:http";

export interface Raw {
  status: number;
  text: string;
  json: any;
  headers: http.IncomingHttpHeaders;
}

/** One request with the path sent byte for byte as given. */
export function raw(base: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Raw> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) {
      h["content-type"] ??= "application/json";
      h["content-length"] = String(Buffer.byteLength(body));
    }
    // a redirect of a long path echoes it in Location: more than node's default 16 KiB of response headers
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: h, maxHeaderSize: 1 << 20 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, text, json, headers: res.headers });
      });
    });
    req.on("error", reject);
    // a request the server never answers fails the test instead of hanging it
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer within 30 s to ${method} ${path.slice(0, 100)}`)));
    req.end(body);
  });
}

