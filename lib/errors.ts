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
  ) {
    super(message);
    this.status = status ?? MLFLOW_ERROR_STATUS[code] ?? 500;
  }
}

export const invalidParameter = (message: string) => new ApiError("INVALID_PARAMETER_VALUE", message);
export const notFound = (message: string) => new ApiError("RESOURCE_DOES_NOT_EXIST", message);
export const alreadyExists = (message: string) => new ApiError("RESOURCE_ALREADY_EXISTS", message);

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
