/**
 * The registration process: claim the key (which creates the institution), then run the saga —
 * director user, then profile + activation + remembered answer — or replay, refuse or resume.
 */
import { randomUUID } from 'node:crypto';
import { fingerprint } from '../idempotency/fingerprint.js';
import { failureOf, isClassified } from '../saga/failure.js';
import { retry, type RetryPolicy } from '../saga/retry.js';
import { runSaga, type SagaOutcome, type SagaPolicy } from '../saga/run-saga.js';
import type { RegistrationContext } from './context.js';
import type { ClaimOutcome, ConflictField, HeldRegistration, RegistrationGateway } from './gateway.js';
import { PendingConflictError, rejectionFor } from './rejection.js';
import type { RegisterInstitutionRequest, RegistrationResult } from './schema.js';
import { completeRegistration } from './steps/complete-registration.js';
import { createDirectorUser } from './steps/create-director-user.js';
import { createInstitution } from './steps/create-institution.js';

/** Idempotency keys are scoped to the operation they guard. */
export const REGISTER_SCOPE = 'institutions.register';

/**
 * required: the director proves the email address is theirs (GoTrue's confirmation) before they
 * can sign in, and the institution stays `unconfirmed` until then; auto: the address is taken as
 * confirmed (for deployments that verify identities another way).
 */
export type DirectorEmailConfirmation = 'required' | 'auto';

export interface RegistrationSettings {
  fingerprintSecret: string;
  directorEmailConfirmation: DirectorEmailConfirmation;
  lockTimeoutSeconds: number;
  retentionHours: number;
  /** Retries of the claim, which is idempotent for one attempt. */
  claimRetry: RetryPolicy;
  saga: SagaPolicy;
}

export interface RegistrationDeps {
  gateway: RegistrationGateway;
  settings: RegistrationSettings;
  /**
   * Runs one attempt (a request's registration, or one the sweep resumes) within its time
   * budget: every call in it, retries included, ends by then.
   */
  withinBudget?: <T>(attempt: () => Promise<T>) => Promise<T>;
  /** Told about sagas that did not complete, for logs; never given the password. */
  onSagaEnded?: (event: { registrationId: string; outcome: SagaOutcome['status']; cause?: unknown }) => void;
  /** Told when an error nobody classified decided an outcome: it was taken as ambiguous, and is a defect. */
  onUnclassifiedError?: (event: { during: 'claim' | 'saga'; error: unknown }) => void;
}

export type RegisterOutcome =
  /** A final answer: fresh, or replayed from the key. */
  | { kind: 'settled'; result: RegistrationResult; replayed: boolean }
  | { kind: 'in_progress'; retryAfterSeconds: number }
  /** A field's value is held by another registration still in flight: not final, nothing remembered. */
  | { kind: 'conflict_pending'; field: ConflictField; retryAfterSeconds: number }
  | { kind: 'key_reused' }
  /** Undone completely after a technical failure; nothing is remembered, a retry starts afresh. */
  | { kind: 'failed' }
  /** Stopped part-way and recorded; a retry with the same key resumes it. */
  | { kind: 'incomplete'; retryAfterSeconds: number }
  /** Supabase could not be reached to claim the key (a claim that did land is resumed by a retry). */
  | { kind: 'unavailable'; retryAfterSeconds: number };

const RETRY_SOON_SECONDS = 1;

/** Runs one attempt within its time budget, when the deps set one. */
export const withinBudget = <T>(deps: RegistrationDeps, attempt: () => Promise<T>): Promise<T> =>
  deps.withinBudget ? deps.withinBudget(attempt) : attempt();

/**
 * The claim is idempotent for one attempt, so it is retried like a step. It ends in an outcome,
 * or `refused` (an answer proving nothing happened), or `unreachable` — then it may have
 * happened (`mayHaveHappened`), and only the database can say.
 */
async function claimWithRetries(
  deps: RegistrationDeps,
  claim: () => Promise<ClaimOutcome>,
): Promise<ClaimOutcome | { outcome: 'refused' } | { outcome: 'unreachable'; mayHaveHappened: boolean; error: unknown }> {
  let mayHaveHappened = false;
  const result = await retry(
    deps.settings.claimRetry,
    async () => {
      try {
        return await claim();
      } catch (error) {
        if (failureOf(error) !== 'transient') mayHaveHappened = true;
        throw error;
      }
    },
    { giveUp: (error) => ['definitive', 'out_of_time'].includes(failureOf(error)), sleep: deps.settings.saga.sleep },
  );
  if (result.ok) return result.value;
  if (failureOf(result.error) === 'definitive') return { outcome: 'refused' };
  if (!isClassified(result.error)) deps.onUnclassifiedError?.({ during: 'claim', error: result.error });
  return { outcome: 'unreachable', mayHaveHappened, error: result.error };
}

/** Runs the saga for a registration this attempt holds, and settles what the outcome means. */
export async function driveRegistration(
  deps: RegistrationDeps,
  held: HeldRegistration,
  attempt: string,
  options: { password: string | undefined; resuming: boolean },
): Promise<RegisterOutcome> {
  const context: RegistrationContext = {
    gateway: deps.gateway,
    attempt,
    held,
    lockTimeoutSeconds: deps.settings.lockTimeoutSeconds,
    directorEmailConfirmed: deps.settings.directorEmailConfirmation === 'auto',
    password: options.password,
  };
  const outcome = await runSaga({
    context,
    completed: [createInstitution],
    pending: [createDirectorUser, completeRegistration],
    resuming: options.resuming,
    policy: deps.settings.saga,
  });
  if (outcome.status !== 'completed') {
    deps.onSagaEnded?.({ registrationId: held.registrationId, outcome: outcome.status, cause: outcome.cause });
    if (!isClassified(outcome.cause)) deps.onUnclassifiedError?.({ during: 'saga', error: outcome.cause });
  }
  switch (outcome.status) {
    case 'completed':
      // Set by the last step, or by a compensation that found the registration had completed.
      return { kind: 'settled', result: context.result!, replayed: false };
    case 'compensated': {
      if (outcome.cause instanceof PendingConflictError) {
        return { kind: 'conflict_pending', field: outcome.cause.field, retryAfterSeconds: outcome.cause.retryAfterSeconds };
      }
      const rejection = rejectionFor(outcome.cause);
      return rejection ? { kind: 'settled', result: rejection, replayed: false } : { kind: 'failed' };
    }
    case 'superseded':
      return { kind: 'in_progress', retryAfterSeconds: deps.settings.lockTimeoutSeconds };
    case 'suspended':
      await deps.gateway.release(held.registrationId, attempt, String(outcome.cause)).catch(() => undefined);
      return { kind: 'incomplete', retryAfterSeconds: RETRY_SOON_SECONDS };
  }
}

export function registerInstitution(deps: RegistrationDeps, request: RegisterInstitutionRequest, key: string): Promise<RegisterOutcome> {
  return withinBudget(deps, () => register(deps, request, key));
}

async function register(deps: RegistrationDeps, request: RegisterInstitutionRequest, key: string): Promise<RegisterOutcome> {
  const { directorPassword, ...sagaInput } = request;
  const attempt = randomUUID();
  const claim = await claimWithRetries(deps, () =>
    deps.gateway.claim({
      scope: REGISTER_SCOPE,
      key,
      // The password stays out of everything stored: a dump of the keys is no guessing oracle for it.
      fingerprint: fingerprint(deps.settings.fingerprintSecret, sagaInput),
      attempt,
      lockTimeoutSeconds: deps.settings.lockTimeoutSeconds,
      retentionHours: deps.settings.retentionHours,
      sagaInput,
    }),
  );
  switch (claim.outcome) {
    case 'unreachable':
      // A claim that landed unseen holds the key: let go of it, so the client's retry resumes at once.
      if (claim.mayHaveHappened) {
        await deps.gateway.releaseClaim({ scope: REGISTER_SCOPE, key, attempt }, String(claim.error)).catch(() => undefined);
      }
      return { kind: 'unavailable', retryAfterSeconds: RETRY_SOON_SECONDS };
    case 'refused':
      return { kind: 'failed' };
    case 'finished':
      return { kind: 'settled', result: claim.result, replayed: claim.replayed };
    case 'in_progress':
      return { kind: 'in_progress', retryAfterSeconds: claim.retryAfterSeconds };
    case 'conflict_pending':
      return { kind: 'conflict_pending', field: claim.field, retryAfterSeconds: claim.retryAfterSeconds };
    case 'mismatch':
      return { kind: 'key_reused' };
    case 'proceed':
      return driveRegistration(deps, claim.registration, attempt, {
        password: directorPassword,
        resuming: claim.resumed,
      });
  }
}
