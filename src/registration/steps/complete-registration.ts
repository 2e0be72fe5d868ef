/**
 * This step creates the director's profile, activates the institution (`pending` → `trial`) and
 * stores the final answer with the key, in one transaction. It is the last step: nothing after it
 * is undone, and a repeat of it returns the stored answer.
 */
import { defineStep } from '../../saga/step.js';
import type { RegistrationContext } from '../context.js';

export const completeRegistrationStepId = 'complete-registration';

export const completeRegistration = defineStep<RegistrationContext>(completeRegistrationStepId, async (context) => {
  context.result = await context.gateway.complete(context.held.registrationId, context.attempt);
});
