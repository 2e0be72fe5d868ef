/** A path whose percent-escapes do not decode is refused before routing, as the client's error. */
import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

/**
 * Express decodes a route's parameters only when a route matches, and answers a stray `%` or
 * escaped bytes that are not UTF-8 with an error of its own; checked here, every path gets the
 * same 400 problem, whichever route it aims at.
 */
export const refuseMalformedPath: RequestHandler = (req, _res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    next(new AppError('invalid_request', 'malformed_path', 'The request path holds a malformed percent-escape (a % not followed by two hex digits, or bytes that are not UTF-8).'));
    return;
  }
  next();
};
