// authorize() for server components (pages, layouts), which have headers but no Request: not signed in →
// the login page (coming back afterwards), signed in without permission → 404 (hides what exists).
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { AccessDenied, authEnabled, authorize, type Access } from "./guard";
import { getPrincipal, type Principal } from "./session";

/** Call at the top of a page with the access it needs; returns the principal (null when auth is off). */
export async function authorizePage(access: Access, returnTo?: string): Promise<Principal | null> {
  const req = { headers: await headers(), method: "GET" };
  try {
    await authorize(req, access);
  } catch (err) {
    if (!(err instanceof AccessDenied)) throw err;
    if (err.status === 401) redirect(`/login${returnTo ? `?callbackUrl=${encodeURIComponent(returnTo)}` : ""}`);
    notFound();
  }
  return authEnabled() ? getPrincipal(req) : null;
}

/** The request-like object pages pass to can()/experimentPermissionOf(). */
export async function pageRequest(): Promise<{ headers: Headers; method: string }> {
  return { headers: (await headers()) as unknown as Headers, method: "GET" };
}
