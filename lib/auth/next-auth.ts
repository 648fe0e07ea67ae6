// next-auth (v4) configuration for the web UI: a credentials provider over our users, and an OpenID
// Connect provider when FLOWTRACE_OIDC_ISSUER / _CLIENT_ID / _CLIENT_SECRET are set. Sessions are
// encrypted JWT cookies (httpOnly, SameSite=Lax, Secure over https) carrying the user id and the user's
// session version, so a password reset or disabling the account ends existing sessions.
import { AsyncLocalStorage } from "node:async_hooks";
import NextAuth, { type NextAuthOptions, type User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { createUser, checkPassword, findUserByName, usernameProblem } from "./users";

export const SESSION_MAX_AGE_S = 12 * 60 * 60;

const PARSE_BASE = "http://flowtrace.invalid";

/**
 * Where to go after sign-in: `raw` if, after URL parsing as a browser does it, it is a path on our own
 * origin; "/" otherwise. A prefix check is not enough: browsers read "/\evil.example" and "/<TAB>/evil"
 * as "//evil.example" (another origin), and "/.//evil" normalizes to "//evil".
 */
export function safeCallbackPath(raw: unknown): string {
  if (typeof raw !== "string" || !raw.startsWith("/")) return "/";
  let u: URL;
  try {
    u = new URL(raw, PARSE_BASE);
  } catch {
    return "/";
  }
  if (u.origin !== PARSE_BASE) return "/";
  // the parsed path may still start with "//" ("/.//x"), which a browser would read as another host
  return `/${u.pathname.replace(/^\/+/, "")}${u.search}${u.hash}`;
}

/**
 * next-auth's redirect callback: only same-origin redirects after sign-in/out, decided after URL parsing
 * (no open redirect through callbackUrl).
 */
export function redirectAfterSignIn(url: string, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  if (url.startsWith("/")) return `${base}${safeCallbackPath(url)}`;
  try {
    const u = new URL(url);
    if (u.origin === new URL(baseUrl).origin) return `${base}${safeCallbackPath(u.pathname + u.search + u.hash)}`;
  } catch {
    /* fall through */
  }
  return baseUrl;
}

// The sign-in attempt's Retry-After, from authorize() (deep inside next-auth) to nextAuthHandler.
const signInScope = new AsyncLocalStorage<{ retryAfterS?: number }>();

type RouteCtx = { params: Promise<{ nextauth: string[] }> };

/**
 * next-auth's route handler. A credentials sign-in refused by the limits answers 429 with Retry-After
 * (next-auth itself would answer 200/302 with ?error=TooManyAttempts); the body stays next-auth's, so the
 * login form still reads its error from it.
 */
export async function nextAuthHandler(req: Request, ctx: RouteCtx): Promise<Response> {
  const scope: { retryAfterS?: number } = {};
  const res: Response = await signInScope.run(scope, () => NextAuth(req as never, ctx as never, authOptions()));
  if (scope.retryAfterS === undefined) return res;
  const headers = new Headers(res.headers);
  headers.set("retry-after", String(scope.retryAfterS));
  headers.set("cache-control", "no-store");
  if (headers.has("location")) {
    // a plain form post (no JavaScript): say it in text rather than redirect
    headers.delete("location");
    headers.set("content-type", "text/plain; charset=utf-8");
    return new Response(`Too many failed sign-in attempts. Try again in ${scope.retryAfterS} s.`, { status: 429, headers });
  }
  return new Response(await res.text(), { status: 429, headers });
}

type LocalUser = User & { sv?: number };

interface OidcProfile {
  sub: string;
  preferred_username?: string;
  email?: string;
  name?: string;
}

function oidcProvider(env: Record<string, string | undefined>): OAuthConfig<OidcProfile> | undefined {
  const issuer = env.FLOWTRACE_OIDC_ISSUER?.replace(/\/$/, "");
  if (!issuer || !env.FLOWTRACE_OIDC_CLIENT_ID || !env.FLOWTRACE_OIDC_CLIENT_SECRET) return undefined;
  return {
    id: "oidc",
    name: env.FLOWTRACE_OIDC_NAME ?? "Single sign-on",
    type: "oauth",
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    clientId: env.FLOWTRACE_OIDC_CLIENT_ID,
    clientSecret: env.FLOWTRACE_OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile: (p) => ({ id: p.sub, name: p.preferred_username ?? p.email ?? p.sub, email: p.email }),
  };
}

/** The local account an OIDC identity maps to (by preferred_username or email), created on first sign-in. */
async function localUserForOidc(name: string | null | undefined) {
  if (!name || usernameProblem(name)) return null;
  const existing = await findUserByName(name);
  if (existing) return existing.disabled ? null : existing;
  if (process.env.FLOWTRACE_OIDC_AUTO_CREATE === "0") return null;
  return createUser({ username: name, password: null }, "oidc");
}

export function oidcConfigured(env: Record<string, string | undefined> = process.env): boolean {
  return oidcProvider(env) !== undefined;
}

export function authOptions(env: Record<string, string | undefined> = process.env): NextAuthOptions {
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Username and password",
      credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const username = String(credentials?.username ?? "");
        const password = String(credentials?.password ?? "");
        if (!username || !password) return null;
        const ipHeader = req?.headers?.["x-flowtrace-client-ip"];
        const r = await checkPassword(username, password, Array.isArray(ipHeader) ? ipHeader[0] : ipHeader);
        if (!r.ok) {
          if (r.reason === "rate_limited") {
            const scope = signInScope.getStore();
            if (scope) scope.retryAfterS = r.retryAfterS;
            throw new Error("TooManyAttempts");
          }
          return null;
        }
        return { id: r.user.id.toString(), name: r.user.username, sv: r.user.sessionVersion } as LocalUser;
      },
    }),
  ];
  const oidc = oidcProvider(env);
  if (oidc) providers.push(oidc);
  return {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    jwt: { maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/login", error: "/login" },
    providers,
    logger: {
      // next-auth logs credential errors with stack traces; keep the server log to one line.
      error: (code) => console.error(`flowtrace: auth error ${code}`),
      warn: () => {},
      debug: () => {},
    },
    callbacks: {
      async signIn({ user, account }) {
        if (account?.provider === "oidc") return (await localUserForOidc(user.name)) !== null;
        return true;
      },
      async jwt({ token, user, account }) {
        if (account?.provider === "oidc" && user) {
          const local = await localUserForOidc(user.name);
          if (!local) return { ...token, sub: undefined };
          return { ...token, sub: local.id.toString(), name: local.username, sv: local.sessionVersion, email: undefined, picture: undefined };
        }
        if (user) return { ...token, sub: user.id, name: user.name, sv: (user as LocalUser).sv ?? 0 };
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { name: token.name ?? null } };
      },
      async redirect({ url, baseUrl }) {
        return redirectAfterSignIn(url, baseUrl);
      },
    },
  };
}
