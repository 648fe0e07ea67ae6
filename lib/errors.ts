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
