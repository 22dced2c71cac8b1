/**
 * Typed errors of the studio / API server. Every error a request can cause is an
 * `ApiError` with a stable `code` and an HTTP status; the router renders it as
 * `{"error": {"code", "message"}}` (never a stack trace).
 */
export class ApiError extends Error {
  constructor(
    /** Stable code, e.g. `not_found`, `invalid_request`, `forbidden`. */
    readonly code: string,
    message: string,
    /** HTTP status sent with it. */
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (message: string): ApiError => new ApiError("not_found", message, 404);
export const badRequest = (message: string, code = "invalid_request"): ApiError => new ApiError(code, message, 400);
export const forbidden = (message: string): ApiError => new ApiError("forbidden", message, 403);
export const conflict = (message: string): ApiError => new ApiError("conflict", message, 409);
