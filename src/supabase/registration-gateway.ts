/** The registration's calls to Supabase (rpc, auth.admin), with every failure classified for the saga. */
import type { AuthError, SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import type {
  AbortOutcome, ClaimOutcome, DirectorUser, EmailHolder, HeldRegistration, RegistrationGateway, RegistrationStatus,
} from '../registration/gateway.js';
import { RegistrationResult } from '../registration/schema.js';
import { callFailure, unreadableAnswer } from './call-failure.js';
import { observeCall, outsideBudget } from './transport.js';

/** Reads a 2xx answer through its contract; one that does not fit may still mean the call happened. */
function read<T>(call: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw unreadableAnswer(call, error);
  }
}

async function rpc<T>(supabase: SupabaseClient, fn: string, args: Record<string, unknown>, parse: (data: unknown) => T): Promise<T> {
  const call = `rpc ${fn}`;
  // Retries are the saga's to decide, inside the request's budget.
  const { value, transport, answer } = await observeCall(async () => supabase.rpc(fn, args).retry(false));
  if (value.error || transport) {
    throw callFailure(call, { status: value.status, code: value.error?.code, message: value.error?.message, transport, answer });
  }
  return read(call, () => parse(value.data));
}

/** GoTrue's answer when a database trigger refused the insert (the auth.users guard among them). */
const DATABASE_REFUSED = /^Database error/;

/** Runs one auth admin call; its failure, classified, is thrown unless `tolerate` says it means success. */
async function authCall<T extends { error: AuthError | null }>(
  call: string,
  run: () => Promise<T>,
  options: { tolerate?: (error: AuthError) => boolean; reason?: (error: AuthError, message: string | undefined) => string | undefined } = {},
): Promise<T> {
  const { value, transport, answer } = await observeCall(run);
  const { error } = value;
  if (!error || (!transport && options.tolerate?.(error))) return value;
  const message = answer?.message ?? error.message;
  const failed = { status: error.status ?? 0, code: error.code, message, transport, answer };
  throw callFailure(call, failed, transport ? undefined : options.reason?.(error, message));
}

const notFound = (error: AuthError) => error.status === 404;

const SagaInputJson = z.object({
  name: z.string(),
  subdomain: z.string(),
  directorEmail: z.string(),
  directorFullName: z.string(),
});

const RegistrationState = z.object({
  outcome: z.enum(['proceed', 'resume', 'finished', 'rejected']),
  registration_id: z.uuid(),
  institution_id: z.uuid(),
  director_user_id: z.uuid(),
  saga_input: SagaInputJson,
  result: z.unknown(),
});

const ClaimAnswer = z.union([
  RegistrationState,
  z.object({ outcome: z.literal('in_progress'), retry_after_seconds: z.number().int() }),
  z.object({ outcome: z.literal('mismatch') }),
  z.object({
    outcome: z.literal('conflict_pending'),
    field: z.enum(['subdomain', 'directorEmail']),
    retry_after_seconds: z.number().int(),
  }),
]);

const EmailHolderAnswer = z.discriminatedUnion('holder', [
  z.object({ holder: z.literal('none') }),
  z.object({ holder: z.literal('settled') }),
  z.object({ holder: z.literal('in_flight'), retry_after_seconds: z.number().int() }),
]);

function toEmailHolder(data: unknown): EmailHolder {
  const answer = EmailHolderAnswer.parse(data);
  return answer.holder === 'in_flight' ? { holder: 'in_flight', retryAfterSeconds: answer.retry_after_seconds } : answer;
}

const AbortAnswer = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('aborted') }),
  z.object({ outcome: z.literal('finished'), result: z.unknown() }),
]);

function toAbortOutcome(data: unknown): AbortOutcome {
  const answer = AbortAnswer.parse(data);
  return answer.outcome === 'finished' ? { outcome: 'finished', result: RegistrationResult.parse(answer.result) } : answer;
}

const StatusAnswer = z
  .object({
    recovery_point: z.enum(['institution_created', 'finished', 'compensated']),
    locked_by: z.uuid().nullable(),
    result: z.unknown(),
  })
  .nullable();

function toStatus(data: unknown): RegistrationStatus | null {
  const answer = StatusAnswer.parse(data);
  if (!answer) return null;
  return {
    recoveryPoint: answer.recovery_point,
    heldBy: answer.locked_by,
    result: answer.result === null ? null : RegistrationResult.parse(answer.result),
  };
}

function held(state: z.infer<typeof RegistrationState>): HeldRegistration {
  return {
    registrationId: state.registration_id,
    institutionId: state.institution_id,
    directorUserId: state.director_user_id,
    sagaInput: state.saga_input,
  };
}

function toClaimOutcome(data: unknown): ClaimOutcome {
  const answer = ClaimAnswer.parse(data);
  switch (answer.outcome) {
    case 'in_progress':
      return { outcome: 'in_progress', retryAfterSeconds: answer.retry_after_seconds };
    case 'mismatch':
      return { outcome: 'mismatch' };
    case 'conflict_pending':
      return { outcome: 'conflict_pending', field: answer.field, retryAfterSeconds: answer.retry_after_seconds };
    case 'finished':
    case 'rejected':
      return { outcome: 'finished', result: RegistrationResult.parse(answer.result), replayed: answer.outcome === 'finished' };
    default:
      return { outcome: 'proceed', registration: held(answer), resumed: answer.outcome === 'resume' };
  }
}

const OwedConfirmationRow = z.object({ id: z.number().int(), email: z.string(), attempts: z.number().int() });

/** `confirmationRedirectUrl`: where GoTrue's confirmation link leads (it must be on the project's redirect allow-list); its site_url without it. */
export function supabaseRegistrationGateway(supabase: SupabaseClient, options: { confirmationRedirectUrl?: string | undefined } = {}): RegistrationGateway {
  return {
    claim: (request) =>
      rpc(
        supabase,
        'registration_begin',
        {
          p_scope: request.scope,
          p_key: request.key,
          p_fingerprint: request.fingerprint,
          p_attempt: request.attempt,
          p_lock_seconds: request.lockTimeoutSeconds,
          p_retention_hours: request.retentionHours,
          p_saga_input: request.sagaInput,
        },
        toClaimOutcome,
      ),

    takeOver: (registrationId, attempt, lockTimeoutSeconds) =>
      rpc(
        supabase,
        'registration_take_over',
        { p_registration_id: registrationId, p_attempt: attempt, p_lock_seconds: lockTimeoutSeconds },
        (data) => (data === null ? null : held(RegistrationState.parse(data))),
      ),

    async createDirectorUser(user: DirectorUser) {
      await authCall(
        'auth.admin.createUser',
        () =>
          supabase.auth.admin.createUser({
            id: user.id,
            email: user.email,
            password: user.password,
            email_confirm: user.emailConfirmed,
            app_metadata: { registration_id: user.registrationId, institution_id: user.institutionId },
            user_metadata: { full_name: user.fullName },
          }),
        {
          reason: (error, message) => {
            if (error.code === 'email_exists') return 'email_taken';
            return (error.status ?? 0) >= 500 && DATABASE_REFUSED.test(message ?? '') ? 'database_refused' : undefined;
          },
        },
      );
    },

    async findDirectorUser(userId) {
      const call = 'auth.admin.getUserById';
      const { data, error } = await authCall(call, () => supabase.auth.admin.getUserById(userId), { tolerate: notFound });
      if (error) return null;
      const registrationId = read(call, () => z.object({ app_metadata: z.record(z.string(), z.unknown()) }).parse(data.user)).app_metadata.registration_id;
      return { registrationId: typeof registrationId === 'string' ? registrationId : undefined };
    },

    findEmailHolder: (email, lockTimeoutSeconds) =>
      rpc(supabase, 'registration_email_holder', { p_email: email, p_lock_seconds: lockTimeoutSeconds }, toEmailHolder),

    async deleteDirectorUser(userId) {
      await authCall('auth.admin.deleteUser', () => supabase.auth.admin.deleteUser(userId), { tolerate: notFound });
    },

    complete: (registrationId, attempt) =>
      rpc(supabase, 'registration_complete', { p_registration_id: registrationId, p_attempt: attempt }, (data) =>
        RegistrationResult.parse(data),
      ),

    abort: (registrationId, attempt, rejection, error) =>
      rpc(
        supabase,
        'registration_abort',
        { p_registration_id: registrationId, p_attempt: attempt, p_result: rejection, p_error: error },
        toAbortOutcome,
      ),

    status: (registrationId) => rpc(supabase, 'registration_status', { p_registration_id: registrationId }, toStatus),

    // Letting go of a lock is worth one call even after the request's budget ran out: the next try can then start at once.
    release: (registrationId, attempt, error) =>
      outsideBudget(() =>
        rpc(supabase, 'registration_release', { p_registration_id: registrationId, p_attempt: attempt, p_error: error }, () => undefined),
      ),

    releaseClaim: (request, error) =>
      outsideBudget(() =>
        rpc(
          supabase,
          'registration_release_claim',
          { p_scope: request.scope, p_key: request.key, p_attempt: request.attempt, p_error: error },
          () => undefined,
        ),
      ),

    claimConfirmations: ({ limit, leaseSeconds, institutionId }) =>
      rpc(supabase, 'outbox_claim', { p_limit: limit, p_lease_seconds: leaseSeconds, p_institution_id: institutionId ?? null }, (data) =>
        z.array(OwedConfirmationRow).parse(data),
      ),

    async sendConfirmation(email) {
      const redirect = options.confirmationRedirectUrl;
      await authCall('auth.resend', () =>
        supabase.auth.resend({ type: 'signup', email, ...(redirect ? { options: { emailRedirectTo: redirect } } : {}) }),
      );
    },

    markConfirmationSent: (id) => rpc(supabase, 'outbox_sent', { p_id: id }, () => undefined),

    retryConfirmation: (id, afterSeconds, error) =>
      rpc(supabase, 'outbox_retry', { p_id: id, p_after_seconds: afterSeconds, p_error: error }, () => undefined),

    listAbandoned: (idleSeconds, limit) =>
      rpc(supabase, 'registration_abandoned', { p_idle_seconds: idleSeconds, p_limit: limit }, (data) =>
        z.array(z.uuid()).parse(data),
      ),

    purgeExpiredKeys: () =>
      rpc(supabase, 'purge_expired_idempotency_keys', {}, (data) => z.number().int().parse(data)),
  };
}
