// next-auth's endpoints (sign-in, sign-out, session, CSRF token, OIDC callback). Public by nature; the
// credentials check, rate limiting (429 with Retry-After) and CSRF token check happen inside
// (lib/auth/next-auth.ts).
import { nextAuthHandler } from "@/lib/auth/next-auth";

export const dynamic = "force-dynamic";

export { nextAuthHandler as GET, nextAuthHandler as POST };
