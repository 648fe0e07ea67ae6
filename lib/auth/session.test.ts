import assert from "node:assert/strict";
import { test } from "node:test";
import { hasCredentials, headerOf, parseCookies, sessionTokenFrom } from "./session";
import { sameOriginRequest } from "./guard";

test("session cookie is found plain, secure-prefixed, or in next-auth's chunks", () => {
  assert.equal(sessionTokenFrom(parseCookies("a=1; next-auth.session-token=abc")), "abc");
  assert.equal(sessionTokenFrom(parseCookies("__Secure-next-auth.session-token=sec; next-auth.session-token=abc")), "sec");
  assert.equal(sessionTokenFrom(parseCookies("next-auth.session-token.0=ab; next-auth.session-token.1=cd")), "abcd");
  assert.equal(sessionTokenFrom(parseCookies("other=1")), undefined);
});

test("credentials are detected from Headers objects and Node header records", () => {
  assert.equal(hasCredentials({ headers: new Headers({ authorization: "Bearer x" }) }), true);
  assert.equal(hasCredentials({ headers: { cookie: "next-auth.session-token=x" } }), true);
  assert.equal(hasCredentials({ headers: { cookie: "theme=dark" } }), false);
  assert.equal(headerOf({ headers: { "x-a": ["1", "2"] } }, "x-a"), "1");
});

test("CSRF: cookie-authenticated mutations must be same-origin", () => {
  assert.equal(sameOriginRequest({ headers: { "sec-fetch-site": "same-origin" } }), true);
  assert.equal(sameOriginRequest({ headers: { "sec-fetch-site": "same-site", origin: "http://localhost:3000", host: "localhost:5000" } }), false);
  assert.equal(sameOriginRequest({ headers: { "sec-fetch-site": "cross-site" } }), false);
  assert.equal(sameOriginRequest({ headers: { origin: "http://localhost:5000", host: "localhost:5000" } }), true);
  assert.equal(sameOriginRequest({ headers: { origin: "http://localhost:3000", host: "localhost:5000" } }), false);
  assert.equal(sameOriginRequest({ headers: {} }), false);
  assert.equal(sameOriginRequest({ headers: { "x-flowtrace-csrf": "1" } }), true);
});

test("CSRF: a client-sent X-Forwarded-Host is not believed (only the server's vetted copy of a trusted proxy's)", () => {
  // a page on another local port claims to be the host it comes from
  assert.equal(sameOriginRequest({ headers: { origin: "http://localhost:3000", host: "localhost:5000", "x-forwarded-host": "localhost:3000" } }), false);
  // behind a trusted proxy the hardening layer passes the public host in x-flowtrace-forwarded-host
  assert.equal(sameOriginRequest({ headers: { origin: "https://traces.example", host: "10.0.0.5:5000", "x-flowtrace-forwarded-host": "traces.example" } }), true);
});
