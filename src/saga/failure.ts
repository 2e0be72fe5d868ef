/**
 * How a call to another system failed, which decides what a saga may do next:
 * - definitive: the remote said no (a 4xx, a constraint); retrying will not help, so unwind;
 * - transient: nothing happened (connection refused, a 5xx); retry, and if that keeps failing, suspend;
 * - ambiguous: it may have happened (timeout, response lost); reconcile before anything else;
 * - superseded: another attempt owns this saga now; stop without touching anything.
 */
export type FailureClass = 'definitive' | 'transient' | 'ambiguous' | 'superseded';

export class RemoteCallError extends Error {
  override readonly name: string = 'RemoteCallError';

  constructor(
    readonly failure: FailureClass,
    /** Which call failed, e.g. `auth.admin.createUser`. */
    readonly call: string,
    message: string,
    /** A business reason the remote gave, e.g. `email_taken`; absent for technical failures. */
    readonly reason?: string,
  ) {
    super(`${call}: ${message}`);
  }
}

export function failureOf(error: unknown): FailureClass {
  return error instanceof RemoteCallError ? error.failure : 'definitive';
}
