/** The registration's calls to Supabase (rpc, auth.admin), with every failure classified for the saga. */
import type { AuthError, SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import type { ClaimOutcome, DirectorUser, EmailHolder, HeldRegistration, RegistrationGateway } from '../registration/gateway.js';
import { RegistrationResult } from '../registration/schema.js';
import { RemoteCallError, type FailureClass } from '../saga/failure.js';
import { observeCall, type TransportFailure } from './transport.js';

interface PostgrestFailure {
  error: { code?: string; message?: string } | null;
  status: number;
}

function byStatus(status: number): FailureClass {
  if (status === 502 || status === 504) return 'ambiguous';
  return status >= 500 ? 'transient' : 'definitive';
}

function transportFailure(call: string, transport: TransportFailure): RemoteCallError {
  return transport === 'not_sent'
    ? new RemoteCallError('transient', call, 'the request did not reach Supabase')
    : new RemoteCallError('ambiguous', call, 'no answer from Supabase (timeout or lost response)');
}

async function rpc<T>(supabase: SupabaseClient, fn: string, args: Record<string, unknown>, parse: (data: unknown) => T): Promise<T> {
  const { value, transport } = await observeCall(async () => supabase.rpc(fn, args));
  const result = value as PostgrestFailure & { data: unknown };
  if (transport) throw transportFailure(`rpc ${fn}`, transport);
  if (result.error) {
    const failure: FailureClass = result.error.code === 'PT409' ? 'superseded' : byStatus(result.status);
    throw new RemoteCallError(failure, `rpc ${fn}`, `${result.status} ${result.error.code ?? ''} ${result.error.message ?? ''}`.trim());
  }
  return parse(result.data);
}

function authFailure(call: string, error: AuthError, transport: TransportFailure | undefined): RemoteCallError {
  if (transport) return transportFailure(call, transport);
  const status = error.status ?? 0;
  if (error.code === 'email_exists') return new RemoteCallError('definitive', call, 'email taken', 'email_taken');
  return new RemoteCallError(byStatus(status), call, `${status} ${error.code ?? ''} ${error.message}`.trim());
}

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

export function supabaseRegistrationGateway(supabase: SupabaseClient): RegistrationGateway {
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
      const call = 'auth.admin.createUser';
      const { value, transport } = await observeCall(() =>
        supabase.auth.admin.createUser({
          id: user.id,
          email: user.email,
          password: user.password,
          email_confirm: true,
          app_metadata: { registration_id: user.registrationId, institution_id: user.institutionId },
          user_metadata: { full_name: user.fullName },
        }),
      );
      if (value.error) throw authFailure(call, value.error, transport);
    },

    async findDirectorUser(userId) {
      const call = 'auth.admin.getUserById';
      const { value, transport } = await observeCall(() => supabase.auth.admin.getUserById(userId));
      if (value.error) {
        if (value.error.status === 404 && !transport) return null;
        throw authFailure(call, value.error, transport);
      }
      const registrationId = value.data.user.app_metadata?.registration_id;
      return { registrationId: typeof registrationId === 'string' ? registrationId : undefined };
    },

    findEmailHolder: (email, lockTimeoutSeconds) =>
      rpc(supabase, 'registration_email_holder', { p_email: email, p_lock_seconds: lockTimeoutSeconds }, toEmailHolder),

    async deleteDirectorUser(userId) {
      const call = 'auth.admin.deleteUser';
      const { value, transport } = await observeCall(() => supabase.auth.admin.deleteUser(userId));
      if (value.error && !(value.error.status === 404 && !transport)) throw authFailure(call, value.error, transport);
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
        () => undefined,
      ),

    release: (registrationId, attempt, error) =>
      rpc(
        supabase,
        'registration_release',
        { p_registration_id: registrationId, p_attempt: attempt, p_error: error },
        () => undefined,
      ),

    listAbandoned: (idleSeconds, limit) =>
      rpc(supabase, 'registration_abandoned', { p_idle_seconds: idleSeconds, p_limit: limit }, (data) =>
        z.array(z.uuid()).parse(data),
      ),

    purgeExpiredKeys: () =>
      rpc(supabase, 'purge_expired_idempotency_keys', {}, (data) => z.number().int().parse(data)),
  };
}
