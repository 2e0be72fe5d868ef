/** POST /api/v1/institutions/register: JSON in, Idempotency-Key checked, the registration's outcome out. */
import express, { type RequestHandler, type Router } from 'express';
import { rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { AppError } from '../errors.js';
import { parseIdempotencyKey } from '../idempotency/key.js';
import { registerInstitution, type RegistrationDeps } from '../registration/register-institution.js';
import { RegisterInstitutionRequest } from '../registration/schema.js';
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

function registerRateLimit(perMinute: number): RequestHandler[] {
  if (perMinute === 0) return [];
  return [
    rateLimit({
      windowMs: 60_000,
      limit: perMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, _res, next) => {
        const resetTime = (req as typeof req & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime;
        const retryAfterSeconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
        next(new AppError('rate_limited', 'rate_limited', 'Too many registrations from this address; try again later.', { retryAfterSeconds }));
      },
    }),
  ];
}

export function registerRouter(deps: RegistrationDeps, options: { rateLimitPerMinute: number }): Router {
  const router = express.Router();
  router.post(
    REGISTER_PATH,
    ...registerRateLimit(options.rateLimitPerMinute),
    requireJson,
    express.json({ limit: BODY_LIMIT_BYTES, strict: true }),
    async (req, res) => {
      const key = parseIdempotencyKey(req.get('Idempotency-Key'));
      const parsed = RegisterInstitutionRequest.safeParse(req.body);
      if (!parsed.success) throw validationProblem(parsed.error);

      const outcome = await registerInstitution(deps, parsed.data, key);
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
    },
  );
  return router;
}
