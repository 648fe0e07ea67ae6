// Command-line flags and environment variables of `flowtrace server` (README: "Configuration").
import path from "node:path";
import { trustedProxyMatcher } from "./hardening";

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl?: string;
  /** skip the "build if missing or stale" step (tests and CI build once) */
  noBuild: boolean;
  quiet: boolean;
  /** accounts, credentials and per-experiment permissions (off by default, like `mlflow server`) */
  auth: boolean;
  /** Host-header allow-list (fnmatch patterns; ["*"] disables the check); undefined = MLflow's defaults */
  allowedHosts?: string[];
  /** origins allowed to send state-changing requests besides localhost; ["*"] = all */
  corsAllowedOrigins?: string[];
  disableSecurityMiddleware: boolean;
  /** proxies (IPs/CIDRs) whose X-Forwarded-For / X-Forwarded-Host are believed; undefined = none */
  trustedProxies?: string[];
}

export class ConfigError extends Error {}

const FLAGS: Record<string, { env: string[]; key: keyof ServerConfig; bool?: boolean }> = {
  "--host": { env: ["FLOWTRACE_HOST", "HOST"], key: "host" },
  "-h": { env: [], key: "host" },
  "--port": { env: ["FLOWTRACE_PORT", "PORT"], key: "port" },
  "-p": { env: [], key: "port" },
  "--data-dir": { env: ["FLOWTRACE_DATA_DIR"], key: "dataDir" },
  "--backend-store-uri": { env: ["DATABASE_URL", "MLFLOW_BACKEND_STORE_URI"], key: "databaseUrl" },
  "--no-build": { env: ["FLOWTRACE_NO_BUILD"], key: "noBuild", bool: true },
  "--quiet": { env: [], key: "quiet", bool: true },
  "--auth": { env: ["FLOWTRACE_AUTH"], key: "auth", bool: true },
  "--allowed-hosts": { env: ["MLFLOW_SERVER_ALLOWED_HOSTS"], key: "allowedHosts" },
  "--cors-allowed-origins": { env: ["MLFLOW_SERVER_CORS_ALLOWED_ORIGINS"], key: "corsAllowedOrigins" },
  "--disable-security-middleware": { env: ["MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE"], key: "disableSecurityMiddleware", bool: true },
  "--trusted-proxies": { env: ["FLOWTRACE_TRUSTED_PROXIES"], key: "trustedProxies" },
};

export const USAGE = `Usage: flowtrace server [options]

  --host HOST               address to listen on (env FLOWTRACE_HOST; default 127.0.0.1)
  --port PORT               port to listen on (env FLOWTRACE_PORT or PORT; default 5000)
  --backend-store-uri URL   PostgreSQL URL to use instead of the embedded database
                            (env DATABASE_URL; postgresql://user:pass@host:5432/db)
  --data-dir DIR            where the embedded PostgreSQL keeps its data
                            (env FLOWTRACE_DATA_DIR; default ./flowtrace-data)
  --no-build                do not build the web app when the build is missing or stale
  --auth                    require accounts: sign-in for the UI, Basic or Bearer credentials for the API
                            (env FLOWTRACE_AUTH=1; first admin from FLOWTRACE_ADMIN_USERNAME and
                            FLOWTRACE_ADMIN_PASSWORD, or the first-run page /login/setup)
  --allowed-hosts LIST      Host headers to accept, comma-separated, * wildcards; * accepts any
                            (env MLFLOW_SERVER_ALLOWED_HOSTS; default localhost and private addresses)
  --cors-allowed-origins LIST
                            origins allowed to send POST/PUT/PATCH/DELETE from a browser besides localhost
                            (env MLFLOW_SERVER_CORS_ALLOWED_ORIGINS; * allows any)
  --disable-security-middleware
                            turn off Host, CORS and security-header checks
                            (env MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE=true)
  --trusted-proxies LIST    reverse proxies whose X-Forwarded-For and X-Forwarded-Host are believed (client
                            address for sign-in limits, host for CSRF checks), comma-separated IPs or CIDRs
                            (env FLOWTRACE_TRUSTED_PROXIES; default none: those headers are ignored)
`;

export function parseServerArgs(argv: string[], env: Record<string, string | undefined> = process.env, cwd = process.cwd()): ServerConfig {
  const raw: Partial<Record<keyof ServerConfig, string | boolean>> = {};
  for (const spec of Object.values(FLAGS)) {
    for (const name of spec.env) {
      if (env[name] !== undefined && env[name] !== "" && raw[spec.key] === undefined) raw[spec.key] = spec.bool ? env[name] !== "0" && env[name] !== "false" : env[name];
    }
  }
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const spec = FLAGS[arg];
    if (!spec) throw new ConfigError(`unknown option '${arg}'\n\n${USAGE}`);
    if (spec.bool) {
      raw[spec.key] = true;
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new ConfigError(`option ${arg} needs a value`);
    }
    raw[spec.key] = value;
  }
  const port = raw.port === undefined ? 5000 : Number(raw.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port '${raw.port}': expected a number from 0 to 65535`);
  const databaseUrl = raw.databaseUrl as string | undefined;
  if (databaseUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(databaseUrl);
    } catch {
      throw new ConfigError(`invalid database URL '${redactUrl(databaseUrl)}': expected postgresql://user:password@host:port/database`);
    }
    if (u.protocol !== "postgresql:" && u.protocol !== "postgres:") {
      throw new ConfigError(`unsupported database URL scheme '${u.protocol}': flowtrace stores data in PostgreSQL (postgresql://…)`);
    }
  }
  const trustedProxies = splitList(raw.trustedProxies as string | undefined);
  try {
    trustedProxyMatcher(trustedProxies);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    host: (raw.host as string) ?? "127.0.0.1",
    port,
    dataDir: path.resolve(cwd, (raw.dataDir as string) ?? "flowtrace-data"),
    databaseUrl,
    noBuild: Boolean(raw.noBuild),
    quiet: Boolean(raw.quiet),
    auth: Boolean(raw.auth),
    allowedHosts: splitList(raw.allowedHosts as string | undefined),
    corsAllowedOrigins: splitList(raw.corsAllowedOrigins as string | undefined),
    disableSecurityMiddleware: Boolean(raw.disableSecurityMiddleware),
    trustedProxies,
  };
}

function splitList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(",").map((x) => x.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}
