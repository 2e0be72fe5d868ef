/**
 * Sends the confirmation mails finished registrations owe, from the outbox their last step wrote
 * them to: at least once, each marked sent only when Supabase Auth accepted it; a refusal (429
 * over_email_send_rate_limit, a 5xx, no answer) puts it back with a backoff. Run right after a
 * 201 for that registration, and by the sweep for everything due (a process that died first,
 * a mail that was refused).
 */
import type { RegistrationGateway } from './gateway.js';

/** How long a claimed mail is this sender's: past it (the process died) it is due again. */
const LEASE_SECONDS = 60;
const MAX_BACKOFF_SECONDS = 3600;

export const confirmationBackoffSeconds = (attempts: number) => Math.min(MAX_BACKOFF_SECONDS, 30 * 2 ** (attempts - 1));

export interface ConfirmationSummary {
  sent: number;
  retried: number;
}

export async function sendOwedConfirmations(
  gateway: RegistrationGateway,
  options: { limit: number; institutionId?: string },
): Promise<ConfirmationSummary> {
  const summary: ConfirmationSummary = { sent: 0, retried: 0 };
  const owed = await gateway.claimConfirmations({ limit: options.limit, leaseSeconds: LEASE_SECONDS, ...(options.institutionId ? { institutionId: options.institutionId } : {}) });
  for (const mail of owed) {
    try {
      await gateway.sendConfirmation(mail.email);
    } catch (error) {
      // Not accepted, or not known to be: due again later. A mail GoTrue did send is then sent twice — at least once.
      await gateway.retryConfirmation(mail.id, confirmationBackoffSeconds(mail.attempts), String(error)).catch(() => undefined);
      summary.retried++;
      continue;
    }
    await gateway.markConfirmationSent(mail.id);
    summary.sent++;
  }
  return summary;
}
