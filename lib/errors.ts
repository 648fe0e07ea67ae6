// Domain errors carry MLflow's error codes; route wrappers turn them into {"error_code", "message"} with
// the matching HTTP status (spec §1.5). lib/ code throws these; nothing else reaches clients.

export const MLFLOW_ERROR_STATUS: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  CUSTOMER_UNAUTHORIZED: 401,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  RESOURCE_CONFLICT: 409,
  ABORTED: 409,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: string,
    message: string,
    status?: number,
    /** extra response headers (Retry-After on 503) */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = status ?? MLFLOW_ERROR_STATUS[code] ?? 500;
  }
}

export const invalidParameter = (message: string) => new ApiError("INVALID_PARAMETER_VALUE", message);
export const notFound = (message: string) => new ApiError("RESOURCE_DOES_NOT_EXIST", message);
export const alreadyExists = (message: string) => new ApiError("RESOURCE_ALREADY_EXISTS", message);

// ------------------------------------------------------------------ database faults

/**
 * Seconds a client should wait before retrying while the database is unreachable. The embedded PostgreSQL
 * is back within ~1-3 s of a crash here (restart + crash recovery), an external one on its own schedule:
 * OTLP exporters and MLflow clients honour Retry-After and back off further by themselves.
 */
export const DB_RETRY_AFTER_SECONDS = 2;

// SQLSTATE classes/codes that mean "the server is not there right now", not "this statement is wrong":
// 08xxx connection exceptions, 57P01 admin_shutdown (fast shutdown, restart), 57P02 crash_shutdown (another
// backend crashed / the postmaster died), 57P03 cannot_connect_now (starting up, crash recovery), 53300
// too_many_connections, 57P05 idle_session_timeout.
const UNAVAILABLE_SQLSTATE = /^(?:08...|57P0[1235]|53300)$/;
// node errno codes of a socket that cannot reach or lost the server (ENOENT: the Unix socket file is gone
// while the embedded PostgreSQL restarts)
const UNAVAILABLE_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "ENOENT", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED"]);
// Prisma driver-adapter error kinds (@prisma/adapter-pg's convertDriverError) of the same meaning
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
// pg and pg-pool errors without a code
const UNAVAILABLE_MESSAGE =
  /Connection terminated|Connection ended unexpectedly|timeout exceeded when trying to connect|Client has encountered a connection error|is not queryable|Client was closed|terminating connection|the database system is (?:starting up|shutting down|in recovery mode)|Cannot use a pool after calling end/i;

/** The error and its causes (Error.cause, Prisma's meta.driverAdapterError and its cause), outermost first. */
function errorChain(err: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const seen = new Set<unknown>();
  const stack = [err];
  while (stack.length && out.length < 10) {
    const e = stack.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    out.push(o);
    stack.push(o.cause, (o.meta as Record<string, unknown> | undefined)?.driverAdapterError);
    if (Array.isArray(o.errors)) stack.push(...o.errors); // AggregateError (net's happy-eyeballs connect)
  }
  return out;
}

/**
 * What a database failure means to the client, or undefined when it is no database fault of that kind:
 * unreachable/restarting → 503 TEMPORARILY_UNAVAILABLE with Retry-After (retryable for OTLP exporters and
 * MLflow clients, where a 500 is final and spans are dropped); statement_timeout → 504 DEADLINE_EXCEEDED;
 * cancelled because the HTTP client went away → 499 CANCELLED (nobody reads it).
 */
export function databaseFault(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return undefined;
  for (const e of errorChain(err)) {
    const code = typeof e.code === "string" ? e.code : typeof e.originalCode === "string" ? e.originalCode : undefined;
    const message = typeof e.message === "string" ? e.message : typeof e.originalMessage === "string" ? e.originalMessage : "";
    if (code === "57014") {
      if (/statement timeout/i.test(message)) {
        return new ApiError("DEADLINE_EXCEEDED", `The query ran longer than the server's statement timeout (FLOWTRACE_STATEMENT_TIMEOUT_MS = ${statementTimeoutMs()} ms) and was stopped; narrow the filter or page with a smaller max_results.`);
      }
      return new ApiError("CANCELLED", "The query was cancelled (the client closed the connection).");
    }
    const errno = code && UNAVAILABLE_ERRNO.has(code) && (code !== "ENOENT" || e.syscall === "connect");
    if ((code && UNAVAILABLE_SQLSTATE.test(code)) || errno || (typeof e.kind === "string" && UNAVAILABLE_KINDS.has(e.kind)) || UNAVAILABLE_MESSAGE.test(message)) {
      return databaseUnavailable();
    }
  }
  return undefined;
}

let faultLogged = 0;
let faultsUnlogged = 0;

/** Logs a database fault at most once a second (an outage fails every request: one line each was noise). */
export function logDatabaseFault(where: string, fault: ApiError, err: unknown): void {
  if (fault.code === "CANCELLED") return;
  const now = Date.now();
  if (now - faultLogged < 1000) {
    faultsUnlogged++;
    return;
  }
  const more = faultsUnlogged ? ` (and ${faultsUnlogged} more since the last line)` : "";
  faultLogged = now;
  faultsUnlogged = 0;
  console.error(`flowtrace: ${where}: ${fault.status} ${fault.code}: ${(err as Error)?.message ?? String(err)}${more}`);
}

export function databaseUnavailable(): ApiError {
  return new ApiError("TEMPORARILY_UNAVAILABLE", "The database is unreachable right now (restarting or recovering); retry the request.", 503, { "retry-after": String(DB_RETRY_AFTER_SECONDS) });
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/** FLOWTRACE_STATEMENT_TIMEOUT_MS: the longest an API or UI query may run (0 turns the limit off). */
export function statementTimeoutMs(): number {
  const raw = process.env.FLOWTRACE_STATEMENT_TIMEOUT_MS;
  const v = Number(raw);
  return raw !== undefined && raw !== "" && Number.isInteger(v) && v >= 0 ? v : DEFAULT_STATEMENT_TIMEOUT_MS;
}

// ---- input errors the database (or the JavaScript stack) finds: a safety net, not the validation ----
// Routes validate at the door (lib/mlflow/params.ts, the search grammar's limits); whatever still gets through
// and makes PostgreSQL refuse the *data* (SQLSTATE class 22 "data exception": a NUL character, a number out of
// range, bad number text, an invalid regex; class 54 "program limit exceeded": a value nested too deep or a
// row too big) or overflows the JavaScript stack was the client's input, so it is a 400, never a 500. Every
// error wrapper (MLflow routes, UI API, account routes, OTLP) calls this before answering 500.

const DATA_ERROR_MESSAGES: Record<string, string> = {
  "22P05": "a string contains a character that cannot be stored (such as the NUL character \\u0000)",
  "22021": "a string contains a character that cannot be stored (such as the NUL character \\u0000)",
  "22003": "a number is out of range (integers must fit in 64 bits)",
  "22P02": "a value is not in a valid format (e.g. text where a number is expected)",
  "22008": "a date or time is out of range",
  "22007": "a date or time is not in a valid format",
  "2201B": "a regular expression is invalid",
  "22025": "a LIKE pattern has an invalid escape sequence",
  "22001": "a value is too long",
  "54001": "a value is nested too deeply",
  "54000": "a value is too large",
};
// Prisma's own codes for the same data errors (it reports some PostgreSQL refusals under these)
const PRISMA_DATA_ERRORS: Record<string, string> = { P2020: "22003", P2000: "22001", P2033: "22003" };

/** The SQLSTATE of a pg or Prisma (driver adapter) error, looking through causes; undefined if none. */
function sqlStateOf(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== "object" || depth > 4) return undefined;
  const e = err as { code?: unknown; originalCode?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown; code?: unknown }; message?: unknown };
  for (const c of [e.originalCode, e.code, e.meta?.code]) {
    if (typeof c === "string" && /^[0-9A-Z]{5}$/.test(c)) {
      if (PRISMA_DATA_ERRORS[c]) return PRISMA_DATA_ERRORS[c];
      if (!c.startsWith("P")) return c;
    }
  }
  const nested = sqlStateOf(e.meta?.driverAdapterError, depth + 1) ?? sqlStateOf(e.cause, depth + 1);
  if (nested) return nested;
  // Prisma's rendered message: "Database error. Code: `22021`. Message: `…`"
  const m = typeof e.message === "string" ? /\bCode: `([0-9A-Z]{5})`/.exec(e.message) : null;
  return m ? m[1] : undefined;
}

/**
 * The 400 INVALID_PARAMETER_VALUE for an error that the request's data caused (see above), or null for any
 * other error (those stay the caller's to map: 500, or 503 for an unreachable database).
 */
export function classifyInputError(err: unknown): ApiError | null {
  if (err instanceof RangeError && /Maximum call stack size exceeded/i.test(err.message)) {
    return invalidParameter("The request is nested too deeply to process (JSON values and filter expressions must nest less deeply).");
  }
  const state = sqlStateOf(err);
  if (!state) return null;
  const what = DATA_ERROR_MESSAGES[state] ?? (state.startsWith("22") ? "a value is invalid" : undefined);
  if (!what) return null;
  return invalidParameter(`Invalid value in the request: ${what} (SQLSTATE ${state}).`);
}

// ---- the one mapping of whatever a handler threw ----

export const INTERNAL_ERROR_MESSAGE = "Internal server error. The details are in the server log.";

/**
 * What every error wrapper answers (MLflow routes, OTLP, UI API, account routes, the server's last resort):
 * an ApiError as it is; a database outage 503 / statement timeout 504 (logged at most once a second); data
 * the database refused 400; anything else a 500 that leaks nothing, its stack in the log. AccessDenied stays
 * with the wrappers (lib/auth/guard imports this module), as their challenge headers differ.
 */
export function asApiError(err: unknown, where: string): ApiError {
  if (err instanceof ApiError) return err;
  const fault = databaseFault(err);
  if (fault) {
    logDatabaseFault(where, fault, err);
    return fault;
  }
  const input = classifyInputError(err);
  if (input) return input;
  console.error(`flowtrace: internal error in ${where}:`, err);
  return new ApiError("INTERNAL_ERROR", INTERNAL_ERROR_MESSAGE, 500);
}
