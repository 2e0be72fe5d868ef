/**
 * What a failure means to the client: a business "no" (subdomain or email taken by a settled
 * registration) is a final, remembered answer; a conflict with a registration still in flight is
 * not final, so it is answered "try again" and nothing is remembered.
 */
import { RemoteCallError } from '../saga/failure.js';
import type { ConflictField } from './gateway.js';
import { RejectionReason, type RegistrationResult } from './schema.js';

export class PendingConflictError extends RemoteCallError {
  override readonly name = 'PendingConflictError';

  constructor(
    readonly field: ConflictField,
    readonly retryAfterSeconds: number,
  ) {
    super('definitive', 'registration', `${field} is held by a registration still in flight`);
  }
}

export function rejectionFor(cause: unknown): RegistrationResult | null {
  if (!(cause instanceof RemoteCallError) || cause instanceof PendingConflictError) return null;
  const reason = RejectionReason.safeParse(cause.reason);
  return reason.success ? { status: 'rejected', reason: reason.data } : null;
}
