/** A saga step: an action, a way to find out whether it happened, and an idempotent compensation. */

/** Something done that can be undone: `compensate` must be safe to run twice. */
export interface Compensable<Context> {
  readonly id: string;
  /** Undoes the effect; `cause` is the failure that made the saga unwind. */
  compensate?(context: Context, cause: unknown): Promise<void>;
}

export interface Step<Context> extends Compensable<Context> {
  invoke(context: Context): Promise<void>;
  /** Finds out whether the effect exists, by an id chosen before the call; true when it happened. */
  reconcile?(context: Context): Promise<boolean>;
}

export function defineStep<Context>(
  id: string,
  invoke: Step<Context>['invoke'],
  options: Pick<Step<Context>, 'reconcile' | 'compensate'> = {},
): Step<Context> {
  return { id, invoke, ...options };
}

/** A step whose action ran elsewhere (for instance atomically with an idempotency claim): only its undo lives here. */
export function defineCompensation<Context>(
  id: string,
  compensate: NonNullable<Compensable<Context>['compensate']>,
): Compensable<Context> {
  return { id, compensate };
}
