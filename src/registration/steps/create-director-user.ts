/**
 * This step creates the director's Supabase Auth user with the id chosen at claim time, tagged
 * with the registration id, so that "did it happen?" is one lookup by id.
 */
import { RemoteCallError } from '../../saga/failure.js';
import { defineStep } from '../../saga/step.js';
import type { RegistrationContext } from '../context.js';

export const createDirectorUserStepId = 'create-director-user';

/** The recovery sweep cannot create a user: it never has the password. */
export class PasswordUnavailableError extends Error {
  override readonly name = 'PasswordUnavailableError';
}

export const createDirectorUser = defineStep<RegistrationContext>(
  createDirectorUserStepId,
  async ({ gateway, held, password }) => {
    if (password === undefined) {
      throw new PasswordUnavailableError('the director user was never created and only the client knows the password');
    }
    await gateway.createDirectorUser({
      id: held.directorUserId,
      email: held.sagaInput.directorEmail,
      password,
      fullName: held.sagaInput.directorFullName,
      registrationId: held.registrationId,
      institutionId: held.institutionId,
    });
  },
  {
    async reconcile({ gateway, held }) {
      const user = await gateway.findDirectorUser(held.directorUserId);
      if (!user) return false;
      if (user.registrationId === held.registrationId) return true;
      throw new RemoteCallError('definitive', 'reconcile director user', 'the user id belongs to another registration');
    },
    async compensate({ gateway, held }) {
      await gateway.deleteDirectorUser(held.directorUserId);
    },
  },
);
