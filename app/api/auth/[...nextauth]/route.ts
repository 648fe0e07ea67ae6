// next-auth's endpoints (sign-in, sign-out, session, CSRF token, OIDC callback). Public by nature; the
// credentials check, rate limiting and CSRF token check happen inside (lib/auth/next-auth.ts).
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/next-auth";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ nextauth: string[] }> };

function handler(req: Request, ctx: Ctx) {
  return NextAuth(req as never, ctx as never, authOptions());
}

export { handler as GET, handler as POST };
