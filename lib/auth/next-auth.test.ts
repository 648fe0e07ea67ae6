import assert from "node:assert/strict";
import { test } from "node:test";
import { redirectAfterSignIn, safeCallbackPath } from "./next-auth";

const EVIL = ["/\\evil.example/x", "/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\/evil.example", "https://evil.example/", "javascript:alert(1)", " /x", "/.//evil.example", "", undefined];

test("callbackUrl: only a same-origin path survives URL parsing", () => {
  for (const raw of EVIL) {
    const p = safeCallbackPath(raw);
    assert.ok(p.startsWith("/") && !p.startsWith("//"), `${JSON.stringify(raw)} → ${p}`);
    assert.equal(new URL(p, "http://flowtrace.test").origin, "http://flowtrace.test", `${JSON.stringify(raw)} → ${p}`);
  }
  assert.equal(safeCallbackPath("/experiments/1/traces?x=1#y"), "/experiments/1/traces?x=1#y");
  assert.equal(safeCallbackPath("/settings/tokens"), "/settings/tokens");
});

test("next-auth's redirect callback never leaves the server's origin", async () => {
  // the function authOptions().callbacks.redirect calls
  const redirect = async ({ url, baseUrl }: { url: string; baseUrl: string }) => redirectAfterSignIn(url, baseUrl);
  const baseUrl = "http://localhost:5000";
  for (const url of EVIL.filter((u): u is string => typeof u === "string")) {
    const out = await redirect({ url, baseUrl });
    assert.equal(new URL(out).origin, baseUrl, `${JSON.stringify(url)} → ${out}`);
  }
  assert.equal(await redirect({ url: "/settings/tokens", baseUrl }), `${baseUrl}/settings/tokens`);
  assert.equal(await redirect({ url: `${baseUrl}/x?y=1`, baseUrl }), `${baseUrl}/x?y=1`);
});
