/** A failure that is a business "no" (subdomain or email taken) becomes a final, remembered answer. */
import { RemoteCallError } from '../saga/failure.js';
import { RejectionReason, type RegistrationResult } from './schema.js';

export function rejectionFor(cause: unknown): RegistrationResult | null {
  if (!(cause instanceof RemoteCallError)) return null;
  const reason = RejectionReason.safeParse(cause.reason);
  return reason.success ? { status: 'rejected', reason: reason.data } : null;
}
