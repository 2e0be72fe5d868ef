/** Turns a Zod error into the one error model, naming every offending field. */
import type { z } from 'zod';
import { AppError, type FieldError } from '../errors.js';

export function validationProblem(error: z.ZodError): AppError {
  const fields: FieldError[] = error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'is not an allowed field' }));
    }
    return [{ field: issue.path.join('.') || '(body)', message: issue.message }];
  });
  return new AppError('invalid_request', 'validation_failed', 'The request body is invalid; see `errors` for each field.', { fields });
}
