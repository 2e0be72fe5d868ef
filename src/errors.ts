/**
 * The one error model of ims-api. Domain code raises an AppError with a stable `code` and a
 * transport-free `kind`; only http/problem.ts turns a kind into an HTTP status.
 */
export type ErrorKind =
  | 'invalid_request'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'unprocessable'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    readonly detail: string,
    readonly extra: {
      fields?: FieldError[];
      retryAfterSeconds?: number;
      allow?: string[];
      /** A WWW-Authenticate challenge, for `unauthorized`. */
      challenge?: string;
      cause?: unknown;
    } = {},
  ) {
    super(detail, extra.cause === undefined ? undefined : { cause: extra.cause });
  }
}
