/** POST /api/v1/institutions/register: JSON in, Idempotency-Key checked, the registration's outcome out. */
import express, { type RequestHandler, type Router } from 'express';
import { rateLimit, type RateLimitInfo, type Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { InFlight } from '../in-flight.js';
import { parseIdempotencyKey } from '../idempotency/key.js';
import { registerInstitution, type RegistrationDeps } from '../registration/register-institution.js';
import { RegisterInstitutionRequest } from '../registration/schema.js';
import { sendOwedConfirmations } from '../registration/send-confirmations.js';
import { sendProblem } from './problem.js';
import { outcomeProblem, rejectionProblem } from './registration-problems.js';
import { validationProblem } from './validation.js';

export const REGISTER_PATH = '/api/v1/institutions/register';
export const BODY_LIMIT_BYTES = 16 * 1024;

const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is(['application/json', 'application/*+json'])) {
    next(new AppError('unsupported_media_type', 'unsupported_media_type', 'Send the body as application/json.'));
    return;
  }
  next();
};

export interface RateLimitOptions {
  perMinute: number;
  /** Shared by every instance when given; each process counts alone without one. */
  store?: Store;
  /** express-rate-limit's configuration warnings go here, as one JSON record each. */
  logger: Logger;
}

/**
 * express-rate-limit writes multi-line text to the console by default; here each of its findings
 * (configuration mistakes, found once at the first request that shows them) is one pino warning.
 */
function oneLine(logger: Logger) {
  return (error: unknown, message?: string) => {
    const { code, message: text } = error as { code?: unknown; message?: unknown };
    logger.warn({ code }, `rate limiter: ${message ?? String(text ?? error)}`);
  };
}

function registerRateLimit(options: RateLimitOptions): RequestHandler[] {
  if (options.perMinute === 0) return [];
  const { logger } = options;
  return [
    rateLimit({
      windowMs: 60_000,
      limit: options.perMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      ...(options.store ? { store: options.store } : {}),
      // A store that cannot be reached lets the request through: Supabase is down then, and the registration says so.
      passOnStoreError: true,
      logger: { warn: oneLine(logger), error: oneLine(logger) },
      handler: (req, _res, next) => {
        const resetTime = (req as typeof req & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime;
        const retryAfterSeconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
        next(new AppError('rate_limited', 'rate_limited', 'Too many registrations from this address; try again later.', { retryAfterSeconds }));
      },
    }),
  ];
}

export interface RegisterRouteOptions {
  rateLimit: RateLimitOptions;
  logger: Logger;
  /** Registrations under way, so that a graceful shutdown lets them finish even when their client has gone. */
  inFlight?: InFlight;
}

export function registerRouter(deps: RegistrationDeps, options: RegisterRouteOptions): Router {
  const router = express.Router();
  router.post(
    REGISTER_PATH,
    ...registerRateLimit(options.rateLimit),
    requireJson,
    express.json({ limit: BODY_LIMIT_BYTES, strict: true }),
    async (req, res) => {
      const key = parseIdempotencyKey(req.headersDistinct['idempotency-key']);
      const parsed = RegisterInstitutionRequest.safeParse(req.body);
      if (!parsed.success) throw validationProblem(parsed.error);

      const registering = registerInstitution(deps, parsed.data, key);
      const outcome = await (options.inFlight ? options.inFlight.track(registering) : registering);
      if (outcome.kind !== 'settled') {
        sendProblem(res, outcomeProblem(outcome));
        return;
      }
      if (outcome.replayed) res.set('Idempotent-Replayed', 'true');
      const { result } = outcome;
      if (result.status === 'rejected') {
        sendProblem(res, rejectionProblem(result.reason));
        return;
      }
      res.status(201).location(`/api/v1/institutions/${result.registration.institution.id}`).json(result.registration);
      // The confirmation mail the registration owes goes out after the answer, which never waits
      // on it; what is not sent now, the sweep sends (the outbox keeps it).
      if (!outcome.replayed && result.registration.institution.status === 'unconfirmed') {
        const sending = sendOwedConfirmations(deps.gateway, { limit: 1, institutionId: result.registration.institution.id });
        (options.inFlight ? options.inFlight.track(sending) : sending).catch((error: unknown) =>
          options.logger.warn({ err: error }, 'the confirmation mail waits for the sweep'),
        );
      }
    },
  );
  router.all(REGISTER_PATH, (req, _res, next) => {
    next(new AppError('method_not_allowed', 'method_not_allowed', `${req.method} is not allowed here; register with POST.`, { allow: ['POST'] }));
  });
  return router;
}
