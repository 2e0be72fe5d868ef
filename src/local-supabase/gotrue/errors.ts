/** GoTrue's error responses: the 2024-01-01 API shape {code, message}, or the initial {code, error_code, msg}. */
import type { Request, Response } from 'express';

export class GotrueError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** apierrors.OAuthError: the token endpoint's OAuth-style failures, {error, error_description}, whatever the API version. */
export class OAuthError extends GotrueError {
  constructor(code: string, description: string) {
    super(400, code, description);
  }
}

const API_VERSION = '2024-01-01';

/** checkPasswordStrength's refusal: 422 weak_password, the reasons in `weak_password.reasons`. */
export class WeakPasswordError extends GotrueError {
  constructor(
    message: string,
    readonly reasons: string[],
  ) {
    super(422, 'weak_password', message);
  }
}

export function sendGotrueError(req: Request, res: Response, error: GotrueError): void {
  if (error instanceof OAuthError) {
    res.status(error.status).json({ error: error.code, error_description: error.message });
    return;
  }
  const versioned = (req.get('x-supabase-api-version') ?? '') >= API_VERSION;
  res.status(error.status).set({ 'Content-Type': 'application/json', 'x-sb-error-code': error.code });
  if (versioned) {
    const weak = error instanceof WeakPasswordError ? { weak_password: { reasons: error.reasons } } : {};
    res.set('X-Supabase-Api-Version', API_VERSION).send(JSON.stringify({ code: error.code, message: error.message, ...weak }));
  } else {
    res.send(JSON.stringify({ code: error.status, error_code: error.code, msg: error.message }));
  }
}

/**
 * What this stand-in refuses because it does not implement it. 422 with a `code`, not 501:
 * auth-js turns every 5xx into a retryable fetch error, and a caller must not retry this.
 */
export const notImplemented = (what: string) => new GotrueError(422, 'not_implemented', `${what} is not implemented by the embedded local Supabase`);

export const userNotFound = () => new GotrueError(404, 'user_not_found', 'User not found');
export const validationFailed = (message: string) => new GotrueError(400, 'validation_failed', message);
