/**
 * How a step failed, which decides what a saga may do next. Ambiguity is the default: an error
 * is definitive only when something classified it so, because undoing work that did happen is
 * the one mistake a saga cannot take back (Temporal retries every error not marked
 * non-retryable, for the same reason).
 * - definitive: the remote said no and nothing happened (a business rejection, a 4xx); unwind;
 * - transient: nothing happened (connection refused, a 5xx that rolled back); retry, then suspend;
 * - ambiguous: it may have happened (timeout, an answer cut short or unreadable, an error nobody
 *   classified); reconcile or retry, and never unwind on it;
 * - out_of_time: the attempt's time budget is spent; stop where it stands, undo nothing;
 * - superseded: another attempt owns this saga now; stop without touching anything.
 */
export type FailureClass = 'definitive' | 'transient' | 'ambiguous' | 'out_of_time' | 'superseded';

/** An error whose meaning for the saga is known. */
export class StepFailure extends Error {
  override readonly name: string = 'StepFailure';

  constructor(
    readonly failure: FailureClass,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class RemoteCallError extends StepFailure {
  override readonly name: string = 'RemoteCallError';

  constructor(
    failure: FailureClass,
    /** Which call failed, e.g. `auth.admin.createUser`. */
    readonly call: string,
    message: string,
    /** A business reason the remote gave, e.g. `email_taken`; absent for technical failures. */
    readonly reason?: string,
  ) {
    super(failure, `${call}: ${message}`);
  }
}

/**
 * Thrown by a compensation that finds the saga's last step already committed: nothing may be
 * undone, and the saga ends completed after all.
 */
export class SagaAlreadyCompleted extends Error {
  override readonly name = 'SagaAlreadyCompleted';
}

export function failureOf(error: unknown): FailureClass {
  return error instanceof StepFailure ? error.failure : 'ambiguous';
}

/** False for an error nobody classified: treated as ambiguous, and a defect to be told about. */
export function isClassified(error: unknown): boolean {
  return error instanceof StepFailure || error instanceof SagaAlreadyCompleted;
}
