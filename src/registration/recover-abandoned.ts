/**
 * The recovery sweep: takes over registrations nobody is working on and drives each to an end —
 * completed when the director user exists, otherwise compensated (it has no password to create
 * one) — recording the outcome with the key so a later retry replays or restarts it.
 */
import { randomUUID } from 'node:crypto';
import { driveRegistration, withinBudget, type RegisterOutcome, type RegistrationDeps } from './register-institution.js';

export type RecoverySummary = Record<RegisterOutcome['kind'], number> & { examined: number };

export async function recoverAbandoned(
  deps: RegistrationDeps,
  options: { idleSeconds: number; limit: number },
): Promise<RecoverySummary> {
  const summary: RecoverySummary = {
    examined: 0, settled: 0, failed: 0, incomplete: 0, in_progress: 0, conflict_pending: 0, key_reused: 0, unavailable: 0,
  };
  for (const registrationId of await deps.gateway.listAbandoned(options.idleSeconds, options.limit)) {
    summary.examined++;
    const attempt = randomUUID();
    const outcome = await withinBudget(deps, async () => {
      const held = await deps.gateway.takeOver(registrationId, attempt, deps.settings.lockTimeoutSeconds);
      return held && driveRegistration(deps, held, attempt, { password: undefined, resuming: true });
    });
    if (outcome) summary[outcome.kind]++;
  }
  return summary;
}
