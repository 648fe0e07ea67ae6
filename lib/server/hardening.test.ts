import assert from "node:assert/strict";
import { test } from "node:test";
import { clientAddress, CORS_BLOCKED_MESSAGE, decide, DNS_REBINDING_MESSAGE, exposureWarning, hostAllowed, originAllowed, trustedProxyMatcher } from "./hardening";

test("default Host allow-list: localhost names with any port and private ranges, nothing else", () => {
  for (const h of ["localhost", "localhost:5000", "127.0.0.1:5000", "[::1]:5000", "0.0.0.0", "10.1.2.3:80", "192.168.0.9", "172.16.0.1", "172.31.255.1:5000"]) {
    assert.ok(hostAllowed(h), h);
  }
  for (const h of ["evil.com", "evil.com:5000", "172.32.0.1", "172.15.0.1", "8.8.8.8", "localhost.evil.com", "127.0.0.1.nip.io", undefined]) {
    assert.ok(!hostAllowed(h), String(h));
  }
});

test("--allowed-hosts patterns replace the defaults; * disables the check", () => {
  assert.ok(hostAllowed("traces.example.com", ["*.example.com"]));
  assert.ok(hostAllowed("TRACES.example.com:443", ["traces.example.com:*"]));
  assert.ok(!hostAllowed("localhost:5000", ["traces.example.com"]));
  assert.ok(hostAllowed("anything", ["*"]));
  assert.ok(hostAllowed(undefined, ["*"]));
});

test("forged Host gets 403 with MLflow's text; /health and /version are exempt", () => {
  const d = decide("GET", "/api/2.0/mlflow/experiments/search", { host: "attacker.example" }, {});
  assert.deepEqual(d.answer, { status: 403, body: DNS_REBINDING_MESSAGE });
  assert.equal(decide("GET", "/health", { host: "attacker.example" }, {}).answer, undefined);
  assert.equal(decide("GET", "/version", { host: "attacker.example" }, {}).answer, undefined);
  assert.equal(decide("GET", "/", { host: "127.0.0.1:5000" }, {}).answer, undefined);
  // a proxy-style X-Forwarded-Host is held to the same list
  assert.equal(decide("GET", "/", { host: "127.0.0.1:5000", "x-forwarded-host": "attacker.example" }, {}).answer?.status, 403);
});

test("state-changing requests from foreign origins are blocked; reads, localhost and the server's own origin pass", () => {
  const host = "127.0.0.1:5000";
  assert.deepEqual(decide("POST", "/api/2.0/mlflow/experiments/create", { host, origin: "https://evil.example" }, {}).answer, { status: 403, body: CORS_BLOCKED_MESSAGE });
  assert.equal(decide("DELETE", "/v1/traces", { host, origin: "https://evil.example" }, {}).answer?.status, 403);
  assert.equal(decide("GET", "/api/2.0/mlflow/experiments/search", { host, origin: "https://evil.example" }, {}).answer, undefined);
  assert.equal(decide("POST", "/api/2.0/mlflow/experiments/create", { host, origin: "http://localhost:3000" }, {}).answer, undefined);
  assert.equal(decide("POST", "/api/x", { host: "10.0.0.5:5000", origin: "http://10.0.0.5:5000" }, {}).answer, undefined);
  assert.equal(decide("POST", "/api/x", { host }, {}).answer, undefined, "server-to-server clients send no Origin");
  assert.equal(decide("POST", "/api/x", { host, origin: "https://app.example" }, { corsAllowedOrigins: ["https://*.example"] }).answer, undefined);
  assert.equal(decide("POST", "/api/x", { host, origin: "https://evil.example" }, { corsAllowedOrigins: ["*"] }).answer, undefined);
  assert.ok(!originAllowed("null", host));
});

test("CORS headers only for trusted origins; OPTIONS preflight on the API is 204", () => {
  const host = "127.0.0.1:5000";
  const ok = decide("OPTIONS", "/api/2.0/mlflow/traces", { host, origin: "http://localhost:3000", "access-control-request-headers": "content-type" }, {});
  assert.equal(ok.answer?.status, 204);
  assert.equal(ok.headers["access-control-allow-origin"], "http://localhost:3000");
  assert.equal(ok.headers["access-control-allow-credentials"], undefined, "another localhost port gets no cookies");
  const listed = decide("GET", "/api/x", { host, origin: "https://ui.example" }, { corsAllowedOrigins: ["https://ui.example"] });
  assert.equal(listed.headers["access-control-allow-credentials"], "true");
  assert.equal(ok.headers["access-control-allow-headers"], "content-type");
  const foreign = decide("GET", "/api/2.0/mlflow/experiments/search", { host, origin: "https://evil.example" }, {});
  assert.equal(foreign.headers["access-control-allow-origin"], undefined);
});

test("security headers: nosniff, frame options (NONE omits), CSP on pages but not API answers", () => {
  const page = decide("GET", "/experiments/1", { host: "localhost:5000" }, {});
  assert.equal(page.headers["x-content-type-options"], "nosniff");
  assert.equal(page.headers["x-frame-options"], "SAMEORIGIN");
  assert.match(page.headers["content-security-policy"], /default-src 'self'/);
  assert.match(page.headers["content-security-policy"], /frame-ancestors 'self'/);
  const api = decide("GET", "/api/2.0/mlflow/experiments/search", { host: "localhost:5000" }, {});
  assert.equal(api.headers["content-security-policy"], undefined);
  assert.equal(api.headers["x-content-type-options"], "nosniff");
  assert.equal(decide("GET", "/", { host: "localhost" }, { frameOptions: "NONE" }).headers["x-frame-options"], undefined);
});

test("disabled middleware adds nothing and blocks nothing", () => {
  assert.deepEqual(decide("POST", "/api/x", { host: "evil", origin: "https://evil" }, { disabled: true }), { headers: {} });
});

test("a loud warning when listening beyond loopback without --auth", () => {
  assert.match(exposureWarning("0.0.0.0", false) ?? "", /WITHOUT authentication/);
  assert.equal(exposureWarning("0.0.0.0", true), undefined);
  assert.equal(exposureWarning("127.0.0.1", false), undefined);
  assert.equal(exposureWarning("localhost", false), undefined);
});

test("private-range patterns match IP literals only, never names that start like one (DNS rebinding)", () => {
  for (const h of ["10.attacker.example", "10.attacker.example:5000", "192.168.evil.example", "172.16.evil.example:80", "10.0.0.1.nip.io", "fd00.evil.example", "fc00:evil", "[fd00:zz]"]) {
    assert.ok(!hostAllowed(h), h);
  }
  for (const h of ["10.0.0.1", "10.255.1.2:5000", "192.168.1.1:80", "172.20.3.4", "[fd00::1]", "[fd12:3456::1]:5000", "[fc00::5]", "[::1]:5000"]) {
    assert.ok(hostAllowed(h), h);
  }
  assert.ok(!hostAllowed("[2001:db8::1]:5000"), "global IPv6 is not private");
  assert.ok(!hostAllowed("[fe80::1]"), "link-local is not in the list");
  // operator patterns that look like addresses are held to the same rule
  assert.ok(hostAllowed("10.1.2.3:5000", ["10.1.*"]));
  assert.ok(!hostAllowed("10.1.evil.example", ["10.1.*"]));
  assert.ok(hostAllowed("traces.example.com", ["traces.example.*"]), "name patterns stay name patterns");
});

test("page CSP: a per-request nonce for scripts, no 'unsafe-inline' in script-src", () => {
  const d = decide("GET", "/experiments/1", { host: "localhost:5000" }, {}, "bm9uY2Ux");
  const csp = d.headers["content-security-policy"];
  const scriptSrc = csp.split(";").map((s) => s.trim()).find((s) => s.startsWith("script-src"))!;
  assert.match(scriptSrc, /'nonce-bm9uY2Ux'/);
  assert.doesNotMatch(scriptSrc, /unsafe-inline/);
  assert.match(csp, /object-src 'none'/);
});

test("client address and forwarded host: X-Forwarded-For is believed only from trusted proxies", () => {
  const trusted = trustedProxyMatcher(["10.0.0.0/8", "::1"]);
  assert.equal(clientAddress("203.0.113.7", "1.2.3.4", trusted), "203.0.113.7", "untrusted peer: its own address");
  assert.equal(clientAddress("10.0.0.2", "1.2.3.4", trusted), "1.2.3.4");
  assert.equal(clientAddress("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.9", trusted), "1.2.3.4", "rightmost untrusted hop");
  assert.equal(clientAddress("::ffff:10.0.0.2", "1.2.3.4", trusted), "1.2.3.4", "IPv4-mapped peer");
  assert.equal(clientAddress("::1", "garbage", trusted), "::1", "unparsable hop: the proxy itself");
  assert.equal(clientAddress("10.0.0.2", undefined, trusted), "10.0.0.2");
  assert.equal(clientAddress("10.0.0.2", "1.2.3.4", trustedProxyMatcher([])), "10.0.0.2", "default: nobody is trusted");
  assert.throws(() => trustedProxyMatcher(["10.0.0.0/33"]), /invalid trusted proxy/);
  assert.throws(() => trustedProxyMatcher(["proxy.example"]), /invalid trusted proxy/);
});
