/**
 * This step creates the director's Supabase Auth user with the id chosen at claim time, tagged
 * with the registration id, so that "did it happen?" is one lookup by id. An "email taken" is
 * never taken at face value: it may be this registration's own user, committed late by an
 * earlier try, or a registration still in flight; only a settled holder makes `email_taken`.
 * Its compensation deletes only this registration's own user, and never once it completed.
 */
import { RemoteCallError, SagaAlreadyCompleted, StepFailure } from '../../saga/failure.js';
import { defineStep } from '../../saga/step.js';
import type { RegistrationContext } from '../context.js';
import { PendingConflictError } from '../rejection.js';

export const createDirectorUserStepId = 'create-director-user';

/** The recovery sweep cannot create a user: it never has the password. Nothing was done, so the saga unwinds. */
export class PasswordUnavailableError extends StepFailure {
  override readonly name = 'PasswordUnavailableError';

  constructor(message: string) {
    super('definitive', message);
  }
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

/** The database refused the user (its guard lets a director in only while the registration is in flight): is it still ours? */
async function settleRefusal({ gateway, held, attempt }: RegistrationContext, refusal: RemoteCallError): Promise<never> {
  const status = await gateway.status(held.registrationId);
  if (status?.recoveryPoint !== 'institution_created' || status.heldBy !== attempt) {
    throw new RemoteCallError('superseded', refusal.call, 'the database refused the director user: another attempt has the registration');
  }
  throw refusal;
}

/** Before the director is undone: a registration that completed keeps it, and one another attempt holds is not ours to touch. */
async function ensureUndoable(context: RegistrationContext): Promise<void> {
  const status = await context.gateway.status(context.held.registrationId);
  if (status?.result?.status === 'registered') {
    context.result = status.result;
    throw new SagaAlreadyCompleted('the registration had completed: its director stays');
  }
  if (status?.heldBy !== context.attempt) {
    throw new RemoteCallError('superseded', 'registration status', 'another attempt has the registration');
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
        emailConfirmed: context.directorEmailConfirmed,
        password,
        fullName: held.sagaInput.directorFullName,
        registrationId: held.registrationId,
        institutionId: held.institutionId,
      });
    } catch (error) {
      if (!(error instanceof RemoteCallError)) throw error;
      if (error.reason === 'email_taken') await settleEmailConflict(context, error);
      else if (error.reason === 'database_refused') await settleRefusal(context, error);
      else throw error;
    }
  },
  {
    reconcile: directorUserExists,
    async compensate(context) {
      const { gateway, held } = context;
      await ensureUndoable(context);
      const user = await gateway.findDirectorUser(held.directorUserId);
      // The tag says whose user it is: only this registration's own is deleted.
      if (user?.registrationId !== held.registrationId) return;
      await gateway.deleteDirectorUser(held.directorUserId);
    },
  },
);
