// What `flowtrace server --auth` does before serving: the session secret (NEXTAUTH_SECRET or one kept in
// the database, so every instance agrees and sessions survive restarts) and the first admin.
import { ensureSessionSecret } from "./settings";
import { bootstrapAdmin } from "./users";

export interface AuthStartup {
  adminCreated?: string;
  /** present while no admin exists: the first-run page needs it (printed to the console only) */
  setupToken?: string;
}

export async function prepareAuth(): Promise<AuthStartup> {
  await ensureSessionSecret();
  // The Host header is validated by the hardening layer, so next-auth may derive its URL from it.
  process.env.AUTH_TRUST_HOST ??= "1";
  const r = await bootstrapAdmin();
  return { adminCreated: r.created, setupToken: r.setupToken };
}
