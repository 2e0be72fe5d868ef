/** What each registration outcome means for an HTTP client: the problem to send, if it is one. */
import { AppError } from '../errors.js';
import type { RegisterOutcome } from '../registration/register-institution.js';
import type { RejectionReason } from '../registration/schema.js';

const REJECTIONS: Record<RejectionReason, string> = {
  subdomain_taken: 'That subdomain is already taken by another institution.',
  email_taken: 'A user with that director email address already exists.',
};

const PENDING_FIELD_NAMES = { subdomain: 'subdomain', directorEmail: 'director email address' } as const;

const SAFE_TO_RETRY = 'Retrying with the same Idempotency-Key is safe.';

export function rejectionProblem(reason: RejectionReason): AppError {
  return new AppError('conflict', reason, REJECTIONS[reason]);
}

export function outcomeProblem(outcome: Exclude<RegisterOutcome, { kind: 'settled' }>): AppError {
  switch (outcome.kind) {
    case 'in_progress':
      return new AppError('conflict', 'idempotency_key_in_use', `A request with this Idempotency-Key is still being processed. ${SAFE_TO_RETRY}`, {
        retryAfterSeconds: outcome.retryAfterSeconds,
      });
    case 'conflict_pending':
      return new AppError(
        'conflict',
        'conflict_pending',
        `Another registration that claims this ${PENDING_FIELD_NAMES[outcome.field]} is still in progress, so this is not a final answer. ${SAFE_TO_RETRY}`,
        { retryAfterSeconds: outcome.retryAfterSeconds, fields: [{ field: outcome.field, message: 'is claimed by a registration still in progress' }] },
      );
    case 'key_reused':
      return new AppError('unprocessable', 'idempotency_key_reused', 'This Idempotency-Key was used with a different request body. Use a new key for a new registration.');
    case 'failed':
      return new AppError('internal', 'registration_failed', `The registration could not be completed and nothing was saved. ${SAFE_TO_RETRY}`);
    case 'incomplete':
      return new AppError('unavailable', 'registration_incomplete', `The registration was interrupted and is recorded; a retry finishes it. ${SAFE_TO_RETRY}`, {
        retryAfterSeconds: outcome.retryAfterSeconds,
      });
    case 'unavailable':
      return new AppError('unavailable', 'supabase_unavailable', `The identity and data service could not be reached. ${SAFE_TO_RETRY}`, {
        retryAfterSeconds: outcome.retryAfterSeconds,
      });
  }
}
