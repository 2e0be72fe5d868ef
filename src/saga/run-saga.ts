/**
 * Runs saga steps in order. Only a definitive failure unwinds the finished steps, in reverse —
 * all of them, whatever fails on the way, unless one finds that the saga completed after all;
 * any other failure that retries cannot cure suspends the saga where it stands, so a later
 * attempt can resume it from its recovery point.
 */
import { failureOf, SagaAlreadyCompleted, type FailureClass } from './failure.js';
import { retry, type RetryPolicy, type Sleep } from './retry.js';
import type { Compensable, Step } from './step.js';

export interface SagaPolicy {
  step: RetryPolicy;
  compensation: RetryPolicy;
  sleep?: Sleep;
}

export type SagaOutcome =
  | { status: 'completed' }
  | { status: 'compensated'; cause: unknown }
  /** Needs recovery: a step kept failing transiently, or a compensation kept failing. */
  | { status: 'suspended'; cause: unknown; compensationFailures: { step: string; error: unknown }[] }
  /** Another attempt took the saga over; this one stopped without changing anything further. */
  | { status: 'superseded'; cause: unknown };

export interface RunSagaOptions<Context> {
  context: Context;
  /** Steps already done before this run (by an earlier attempt, or atomically with the claim). */
  completed: Compensable<Context>[];
  pending: Step<Context>[];
  /** On a resumed saga, steps that can reconcile do so before acting, since an earlier attempt may have acted. */
  resuming: boolean;
  policy: SagaPolicy;
}

type StepResult = { ok: true } | { ok: false; error: unknown; mayHaveHappened: boolean };

/** Failures that another try of the same call cannot change. */
const FINAL: FailureClass[] = ['definitive', 'superseded', 'out_of_time'];

async function runStep<Context>(step: Step<Context>, context: Context, reconcileFirst: boolean, policy: SagaPolicy): Promise<StepResult> {
  let mayHaveHappened = false;
  const result = await retry(
    policy.step,
    async (attempt) => {
      if ((reconcileFirst || attempt > 1) && step.reconcile && (await step.reconcile(context))) return;
      try {
        await step.invoke(context);
      } catch (error) {
        if (['ambiguous', 'out_of_time'].includes(failureOf(error))) mayHaveHappened = true;
        throw error;
      }
    },
    { giveUp: (error) => FINAL.includes(failureOf(error)), sleep: policy.sleep },
  );
  return result.ok ? { ok: true } : { ok: false, error: result.error, mayHaveHappened };
}

/** Returns the error that a compensation kept failing with, or undefined once it succeeded. */
async function compensate<Context>(step: Compensable<Context>, context: Context, cause: unknown, policy: SagaPolicy): Promise<unknown> {
  const result = await retry(policy.compensation, async () => step.compensate?.(context, cause), {
    giveUp: (error) => error instanceof SagaAlreadyCompleted || ['superseded', 'out_of_time'].includes(failureOf(error)),
    sleep: policy.sleep,
  });
  return result.ok ? undefined : result.error;
}

export async function runSaga<Context>(options: RunSagaOptions<Context>): Promise<SagaOutcome> {
  const { context, policy } = options;
  const done = [...options.completed];
  for (const step of options.pending) {
    const result = await runStep(step, context, options.resuming, policy);
    if (result.ok) {
      done.push(step);
      continue;
    }
    const failure = failureOf(result.error);
    if (failure === 'superseded') return { status: 'superseded', cause: result.error };
    if (failure !== 'definitive') return { status: 'suspended', cause: result.error, compensationFailures: [] };
    // A step that may have acted before failing is undone too; its compensation tolerates "nothing there".
    const toUndo = result.mayHaveHappened ? [...done, step] : done;
    const compensationFailures: { step: string; error: unknown }[] = [];
    for (const finished of toUndo.reverse()) {
      const error = await compensate(finished, context, result.error, policy);
      if (error instanceof SagaAlreadyCompleted) return { status: 'completed' };
      if (error !== undefined) compensationFailures.push({ step: finished.id, error });
    }
    if (compensationFailures.some(({ error }) => failureOf(error) === 'superseded')) {
      return { status: 'superseded', cause: result.error };
    }
    return compensationFailures.length
      ? { status: 'suspended', cause: result.error, compensationFailures }
      : { status: 'compensated', cause: result.error };
  }
  return { status: 'completed' };
}
