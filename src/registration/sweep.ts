/** The recovery sweep: finishes or undoes abandoned registrations, then sends the confirmation mails still owed. */
import { recoverAbandoned, type RecoverySummary } from './recover-abandoned.js';
import type { RegistrationDeps } from './register-institution.js';
import { sendOwedConfirmations, type ConfirmationSummary } from './send-confirmations.js';

export async function sweep(
  deps: RegistrationDeps,
  options: { idleSeconds: number; limit: number },
): Promise<{ registrations: RecoverySummary; confirmations: ConfirmationSummary }> {
  const registrations = await recoverAbandoned(deps, options);
  const confirmations = await sendOwedConfirmations(deps.gateway, { limit: options.limit });
  return { registrations, confirmations };
}
