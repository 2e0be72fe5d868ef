/** Maps the error model to RFC 9457 problem+json, once, for every route. Nothing internal leaks. */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { AppError, type ErrorKind } from '../errors.js';

const STATUS: Record<ErrorKind, { status: number; title: string }> = {
  invalid_request: { status: 400, title: 'Bad Request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  not_found: { status: 404, title: 'Not Found' },
  method_not_allowed: { status: 405, title: 'Method Not Allowed' },
  conflict: { status: 409, title: 'Conflict' },
  unprocessable: { status: 422, title: 'Unprocessable Content' },
  payload_too_large: { status: 413, title: 'Content Too Large' },
  unsupported_media_type: { status: 415, title: 'Unsupported Media Type' },
  rate_limited: { status: 429, title: 'Too Many Requests' },
  unavailable: { status: 503, title: 'Service Unavailable' },
  internal: { status: 500, title: 'Internal Server Error' },
};

const PROBLEM_CONTENT_TYPE = 'application/problem+json';

function problemStatus(error: AppError): number {
  return STATUS[error.kind].status;
}

function problemBody(error: AppError, requestId?: string) {
  const { status, title } = STATUS[error.kind];
  return {
    type: `/problems/${error.code}`,
    title,
    status,
    detail: error.detail,
    code: error.code,
    ...(requestId ? { requestId } : {}),
    ...(error.extra.fields ? { errors: error.extra.fields } : {}),
  };
}

export function sendProblem(res: Response, error: AppError): void {
  if (error.extra.retryAfterSeconds !== undefined) res.set('Retry-After', String(error.extra.retryAfterSeconds));
  if (error.extra.allow) res.set('Allow', error.extra.allow.join(', '));
  if (error.extra.challenge) res.set('WWW-Authenticate', error.extra.challenge);
  res
    .status(problemStatus(error))
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemBody(error, res.locals.requestId as string | undefined)));
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', 'not_found', `No route for ${req.method} ${req.path}`));
};

/** A client error body-parser raised without a `type` of its own: a body it could not read or decode. */
function isUnreadableBody(error: unknown): boolean {
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500;
}

/** Body-parser failures carry `type` (or a client status); anything else unforeseen becomes a bare 500. */
function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.too.large') {
    return new AppError('payload_too_large', 'payload_too_large', 'The request body is larger than allowed.');
  }
  if (type === 'entity.parse.failed') {
    return new AppError('invalid_request', 'malformed_json', 'The request body is not valid JSON.');
  }
  if (type === 'encoding.unsupported') {
    return new AppError('unsupported_media_type', 'unsupported_content_encoding', 'Send the body uncompressed, or as gzip, deflate or br.');
  }
  if (type === 'charset.unsupported') {
    return new AppError('unsupported_media_type', 'unsupported_media_type', 'Send the body as UTF-8 JSON.');
  }
  if (isUnreadableBody(error)) {
    return new AppError('invalid_request', 'unreadable_body', 'The request body could not be read or decoded (check Content-Encoding and Content-Length).');
  }
  return new AppError('internal', 'internal_error', 'An unexpected error occurred.', { cause: error });
}

export const problemHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  const appError = toAppError(error);
  // pino-http logs the request's record with `res.err` as its error: the defect's own error, not a bare "failed with status code 500".
  if (appError.kind === 'internal') res.err = error instanceof Error ? error : new Error(String(error));
  sendProblem(res, appError);
};
