/**
 * This step creates the institution as `pending`. Its action travels with the idempotency claim
 * (one transaction, one call), so only its compensation is defined here: delete the institution
 * and settle the key, remembering a business rejection so that retries replay it. The database
 * refuses to undo a registration that had completed; then the saga ends completed after all.
 */
import { SagaAlreadyCompleted } from '../../saga/failure.js';
import { defineCompensation } from '../../saga/step.js';
import type { RegistrationContext } from '../context.js';
import { rejectionFor } from '../rejection.js';

export const createInstitutionStepId = 'create-institution';

export const createInstitution = defineCompensation<RegistrationContext>(createInstitutionStepId, async (context, cause) => {
  const { gateway, held, attempt } = context;
  const undone = await gateway.abort(held.registrationId, attempt, rejectionFor(cause), String(cause));
  if (undone.outcome === 'finished') {
    context.result = undone.result;
    throw new SagaAlreadyCompleted('the registration had completed: its institution stays');
  }
});
