// Command-line flags and environment variables of `flowtrace server` (README: "Configuration"). Flags are
// read by node:util's parseArgs; this module adds what it lacks: environment fallbacks, MLflow's flag
// names, and errors that say how to fix the command (npm eats options that come before `--`).
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { priceOverridesFromEnv, PriceFileError } from "../cost/overrides";
import { trustedProxyMatcher } from "./hardening";
import { LOG_LEVELS, type LogLevel } from "./log";

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl?: string;
  /** skip the "build if missing or stale" step (tests and CI build once) */
  noBuild: boolean;
  /** Next in development mode (compiles on request, hot reload) inside this same server: `npm run dev` */
  dev: boolean;
  /** what reaches the terminal: error < warn < info (default) < debug (PostgreSQL's own output too) */
  logLevel: LogLevel;
  /** accounts, credentials and per-experiment permissions (off by default, like `mlflow server`) */
  auth: boolean;
  /** Host-header allow-list (fnmatch patterns; ["*"] disables the check); undefined = MLflow's defaults */
  allowedHosts?: string[];
  /** origins allowed to send state-changing requests besides localhost; ["*"] = all */
  corsAllowedOrigins?: string[];
  disableSecurityMiddleware: boolean;
  /** proxies (IPs/CIDRs) whose X-Forwarded-For / X-Forwarded-Host are believed; undefined = none */
  trustedProxies?: string[];
  /** a JSON file of price overrides (lib/cost/overrides.ts), resolved against the working directory */
  pricesFile?: string;
  /** `--help` / `--version`: print and exit 0, start nothing */
  help: boolean;
  version: boolean;
}

export class ConfigError extends Error {}

type Key = Exclude<keyof ServerConfig, "help" | "version" | "logLevel"> | "logLevel" | "quiet" | "verbose";
interface Flag {
  key: Key;
  env: string[];
  bool?: boolean;
  short?: string;
}

// MLflow's `mlflow server` uses -h for --host and -p for --port; so do we (--help has no short form).
const FLAGS: Record<string, Flag> = {
  host: { key: "host", env: ["FLOWTRACE_HOST", "HOST"], short: "h" },
  port: { key: "port", env: ["FLOWTRACE_PORT", "PORT"], short: "p" },
  "data-dir": { key: "dataDir", env: ["FLOWTRACE_DATA_DIR"] },
  "backend-store-uri": { key: "databaseUrl", env: ["DATABASE_URL", "MLFLOW_BACKEND_STORE_URI"] },
  "no-build": { key: "noBuild", env: ["FLOWTRACE_NO_BUILD"], bool: true },
  dev: { key: "dev", env: ["FLOWTRACE_DEV"], bool: true },
  "log-level": { key: "logLevel", env: ["FLOWTRACE_LOG_LEVEL"] },
  quiet: { key: "quiet", env: [], bool: true },
  verbose: { key: "verbose", env: [], bool: true },
  auth: { key: "auth", env: ["FLOWTRACE_AUTH"], bool: true },
  "allowed-hosts": { key: "allowedHosts", env: ["MLFLOW_SERVER_ALLOWED_HOSTS"] },
  "cors-allowed-origins": { key: "corsAllowedOrigins", env: ["MLFLOW_SERVER_CORS_ALLOWED_ORIGINS"] },
  "disable-security-middleware": { key: "disableSecurityMiddleware", env: ["MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE"], bool: true },
  "trusted-proxies": { key: "trustedProxies", env: ["FLOWTRACE_TRUSTED_PROXIES"] },
  prices: { key: "pricesFile", env: ["FLOWTRACE_PRICES_FILE"] },
};

export const USAGE = `Usage: flowtrace server [options]        (from a clone: npm start -- [options])

  -h, --host HOST           address to listen on (env FLOWTRACE_HOST; default 127.0.0.1)
  -p, --port PORT           port to listen on (env FLOWTRACE_PORT or PORT; default 5000)
  --backend-store-uri URL   PostgreSQL to use instead of the embedded database
                            (env DATABASE_URL; postgresql://user:pass@host:5432/db; a missing
                            database is created when the user may)
  --data-dir DIR            where the embedded PostgreSQL keeps its data (env FLOWTRACE_DATA_DIR;
                            default ./flowtrace-data in a clone, else ${shortHome(defaultUserDataDir())})
  --no-build                do not build the web app when the build is missing or stale
  --dev                     development: Next compiles pages on request and reloads them on change, with
                            the same database, API, auth gate and security checks (npm run dev)
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
  --prices FILE             your own model prices, a JSON list of {model, provider?, input_per_mtok,
                            output_per_mtok, cache_read_per_mtok?, cache_write_per_mtok?} (env
                            FLOWTRACE_PRICES_FILE; FLOWTRACE_PRICES holds the JSON itself); they win over
                            the price table, a cost the client sent wins over both
  --log-level LEVEL         error, warn, info (default) or debug (env FLOWTRACE_LOG_LEVEL)
  --quiet, --verbose        the same as --log-level warn, --log-level debug
  --help                    print this help
  --version                 print the version

Examples:
  npm start -- --port 5151
  npx flowtrace server --host 0.0.0.0 --auth
  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/flowtrace npm start
`;

/** Where an installed flowtrace (npx, npm install -g) keeps its data: the platform's per-user data folder. */
export function defaultUserDataDir(env: Record<string, string | undefined> = process.env, platform = process.platform, home = os.homedir()): string {
  if (platform === "win32") return path.join(env.LOCALAPPDATA || path.join(home, "AppData", "Local"), "flowtrace");
  if (platform === "darwin") return path.join(home, "Library", "Application Support", "flowtrace");
  return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "flowtrace");
}

function shortHome(p: string): string {
  const home = os.homedir();
  return home && p.startsWith(home + path.sep) ? `~${p.slice(home.length)}` : p;
}

/** True when this copy of flowtrace was installed as a package (under node_modules), not cloned. */
export function isInstalledPackage(root: string): boolean {
  return root.split(path.sep).includes("node_modules");
}

const bool = (v: string) => v !== "0" && v.toLowerCase() !== "false";

export function parseServerArgs(argv: string[], env: Record<string, string | undefined> = process.env, cwd = process.cwd(), root?: string): ServerConfig {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.bool ? "boolean" : "string", ...(f.short ? { short: f.short } : {}) } as const])),
        help: { type: "boolean" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (err) {
    throw new ConfigError(argumentError(err as Error & { code?: string }, argv, env));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const raw: Partial<Record<Key, string | boolean>> = {};
  for (const [name, spec] of Object.entries(FLAGS)) {
    if (values[name] !== undefined) raw[spec.key] = values[name];
    else for (const e of spec.env) if (env[e] !== undefined && env[e] !== "" && raw[spec.key] === undefined) raw[spec.key] = spec.bool ? bool(env[e]!) : env[e];
  }
  const port = raw.port === undefined ? 5000 : Number(raw.port);
  if (!/^\d+$/.test(String(raw.port ?? "5000")) || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port '${raw.port}': expected a number from 0 to 65535`);
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
  const pricesFile = raw.pricesFile !== undefined ? path.resolve(cwd, raw.pricesFile as string) : undefined;
  try {
    // read now: a malformed file stops the start with the entry at fault instead of mispricing traces later
    priceOverridesFromEnv({ FLOWTRACE_PRICES: env.FLOWTRACE_PRICES, FLOWTRACE_PRICES_FILE: pricesFile });
  } catch (err) {
    if (err instanceof PriceFileError) throw new ConfigError(err.message);
    throw err;
  }
  let logLevel: LogLevel = "info";
  if (raw.logLevel !== undefined) {
    const l = String(raw.logLevel).toLowerCase();
    if (!(LOG_LEVELS as readonly string[]).includes(l)) throw new ConfigError(`invalid log level '${raw.logLevel}': expected one of ${LOG_LEVELS.join(", ")}`);
    logLevel = l as LogLevel;
  }
  if (raw.quiet) logLevel = "warn";
  if (raw.verbose) logLevel = "debug";
  const dataDir = raw.dataDir !== undefined ? path.resolve(cwd, raw.dataDir as string) : root && isInstalledPackage(root) ? defaultUserDataDir(env) : path.resolve(cwd, "flowtrace-data");
  return {
    host: (raw.host as string) ?? "127.0.0.1",
    port,
    dataDir,
    databaseUrl,
    noBuild: Boolean(raw.noBuild),
    dev: Boolean(raw.dev),
    logLevel,
    auth: Boolean(raw.auth),
    allowedHosts: splitList(raw.allowedHosts as string | undefined),
    corsAllowedOrigins: splitList(raw.corsAllowedOrigins as string | undefined),
    disableSecurityMiddleware: Boolean(raw.disableSecurityMiddleware),
    trustedProxies,
    pricesFile,
    help: Boolean(values.help),
    version: Boolean(values.version),
  };
}

/** One line that says what is wrong with the command and how to write it instead. */
function argumentError(err: Error & { code?: string }, argv: string[], env: Record<string, string | undefined>): string {
  const hint = "run 'flowtrace server --help' (from a clone: npm start -- --help) for the options";
  if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const arg = /'([^']*)'/.exec(err.message)?.[1] ?? argv.find((a) => !a.startsWith("-")) ?? "";
    // `npm start --port 5151` (no `--`): npm takes --port for itself and passes only "5151" on, setting
    // npm_config_port. Name the flag it swallowed.
    const eaten = Object.keys(FLAGS).find((name) => env[`npm_config_${name.replace(/-/g, "_")}`] !== undefined);
    if (eaten) return `unexpected argument '${arg}': npm kept --${eaten} for itself; put npm's '--' before flowtrace's options: npm start -- --${eaten} ${arg}`;
    return `unexpected argument '${arg}' (options start with --; with npm, put '--' first: npm start -- --port 5151); ${hint}`;
  }
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const opt = /'([^']*)'/.exec(err.message)?.[1] ?? "";
    const name = opt.replace(/^-+/, "").split("=")[0];
    const close = [...Object.keys(FLAGS), "help", "version"].find((f) => editDistance(f, name) <= 2 && name.length > 1);
    return `unknown option '${opt}'${close ? ` (did you mean --${close}?)` : ""}; ${hint}`;
  }
  if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const opt = /--[\w-]+/.exec(err.message)?.[0] ?? "";
    return `option ${opt} needs a value; ${hint}`;
  }
  return `${err.message}; ${hint}`;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function splitList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(",").map((x) => x.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}
