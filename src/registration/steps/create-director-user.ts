/**
 * This step creates the director's Supabase Auth user with the id chosen at claim time, tagged
 * with the registration id, so that "did it happen?" is one lookup by id. An "email taken" is
 * never taken at face value: it may be this registration's own user, committed late by an
 * earlier try, or a registration still in flight; only a settled holder makes `email_taken`.
 */
import { RemoteCallError } from '../../saga/failure.js';
import { defineStep } from '../../saga/step.js';
import type { RegistrationContext } from '../context.js';
import { PendingConflictError } from '../rejection.js';

export const createDirectorUserStepId = 'create-director-user';

/** The recovery sweep cannot create a user: it never has the password. */
export class PasswordUnavailableError extends Error {
  override readonly name = 'PasswordUnavailableError';
}

/** True when the pre-chosen user id exists and carries this registration's id. */
async function directorUserExists({ gateway, held }: RegistrationContext): Promise<boolean> {
  const user = await gateway.findDirectorUser(held.directorUserId);
  if (!user) return false;
  if (user.registrationId === held.registrationId) return true;
  throw new RemoteCallError('definitive', 'reconcile director user', 'the user id belongs to another registration');
}

/** Decides what the auth service's "email taken" means for this registration. */
async function settleEmailConflict(context: RegistrationContext, conflict: RemoteCallError): Promise<void> {
  if (await directorUserExists(context)) return;
  const found = await context.gateway.findEmailHolder(context.held.sagaInput.directorEmail, context.lockTimeoutSeconds);
  switch (found.holder) {
    case 'settled':
      throw conflict;
    case 'in_flight':
      throw new PendingConflictError('directorEmail', found.retryAfterSeconds);
    case 'none':
      throw new RemoteCallError('transient', conflict.call, 'the email was taken but its holder is gone; trying again');
  }
}

export const createDirectorUser = defineStep<RegistrationContext>(
  createDirectorUserStepId,
  async (context) => {
    const { gateway, held, password } = context;
    if (password === undefined) {
      throw new PasswordUnavailableError('the director user was never created and only the client knows the password');
    }
    try {
      await gateway.createDirectorUser({
        id: held.directorUserId,
        email: held.sagaInput.directorEmail,
        password,
        fullName: held.sagaInput.directorFullName,
        registrationId: held.registrationId,
        institutionId: held.institutionId,
      });
    } catch (error) {
      if (!(error instanceof RemoteCallError && error.reason === 'email_taken')) throw error;
      await settleEmailConflict(context, error);
    }
  },
  {
    reconcile: directorUserExists,
    async compensate({ gateway, held }) {
      await gateway.deleteDirectorUser(held.directorUserId);
    },
  },
);
