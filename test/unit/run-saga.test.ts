/** The generic saga runner with in-memory steps (no remote system involved: the runner's own rules). */
import { describe, expect, it } from 'vitest';
import { RemoteCallError, SagaAlreadyCompleted, type FailureClass } from '../../src/saga/failure.js';
import { runSaga, type SagaPolicy } from '../../src/saga/run-saga.js';
import { defineCompensation, defineStep, type Step } from '../../src/saga/step.js';

const policy: SagaPolicy = {
  step: { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
  compensation: { attempts: 2, baseDelayMs: 0, maxDelayMs: 0 },
  sleep: async () => undefined,
};

const fail = (failure: FailureClass) => new RemoteCallError(failure, 'call', failure);

function recorder() {
  const log: string[] = [];
  const step = (id: string, failures: FailureClass[] = [], options: { reconcile?: () => boolean; undo?: FailureClass[] } = {}): Step<null> => {
    const toFail = [...failures];
    const undoFailures = [...(options.undo ?? [])];
    return defineStep<null>(
      id,
      async () => {
        log.push(`do ${id}`);
        const failure = toFail.shift();
        if (failure) throw fail(failure);
      },
      {
        ...(options.reconcile ? { reconcile: async () => (log.push(`check ${id}`), options.reconcile!()) } : {}),
        compensate: async () => {
          log.push(`undo ${id}`);
          const failure = undoFailures.shift();
          if (failure) throw fail(failure);
        },
      },
    );
  };
  return { log, step };
}

describe('runSaga', () => {
  it('runs steps in order and compensates the finished ones in reverse on a definitive failure', async () => {
    const { log, step } = recorder();
    const claimed = defineCompensation<null>('claimed', async () => void log.push('undo claimed'));
    const outcome = await runSaga({
      context: null, completed: [claimed], pending: [step('a'), step('b'), step('c', ['definitive'])], resuming: false, policy,
    });
    expect(outcome.status).toBe('compensated');
    expect(log).toEqual(['do a', 'do b', 'do c', 'undo b', 'undo a', 'undo claimed']);
  });

  it('retries transient failures and suspends, without compensating, when they persist', async () => {
    const { log, step } = recorder();
    const outcome = await runSaga({
      context: null, completed: [], pending: [step('a'), step('b', ['transient', 'transient', 'transient'])], resuming: false, policy,
    });
    expect(outcome).toMatchObject({ status: 'suspended', compensationFailures: [] });
    expect(log).toEqual(['do a', 'do b', 'do b', 'do b']);
  });

  it('reconciles before retrying, and counts an effect that happened as done', async () => {
    const { log, step } = recorder();
    const outcome = await runSaga({
      context: null, completed: [], pending: [step('a', ['ambiguous'], { reconcile: () => true }), step('b')], resuming: false, policy,
    });
    expect(outcome.status).toBe('completed');
    expect(log).toEqual(['do a', 'check a', 'do b']);
  });

  it('compensates a step that may have happened before it failed definitively', async () => {
    const { log, step } = recorder();
    const outcome = await runSaga({
      context: null, completed: [], pending: [step('a'), step('b', ['ambiguous', 'definitive'], { reconcile: () => false })], resuming: false, policy,
    });
    expect(outcome.status).toBe('compensated');
    expect(log).toEqual(['do a', 'do b', 'check b', 'do b', 'undo b', 'undo a']);
  });

  it('tries every compensation even when one keeps failing, and then suspends', async () => {
    const { log, step } = recorder();
    const outcome = await runSaga({
      context: null, completed: [], pending: [step('a'), step('b', [], { undo: ['transient', 'transient'] }), step('c', ['definitive'])], resuming: false, policy,
    });
    expect(outcome).toMatchObject({ status: 'suspended', compensationFailures: [{ step: 'b' }] });
    expect(log).toEqual(['do a', 'do b', 'do c', 'undo b', 'undo b', 'undo a']);
  });

  it('stops at once when another attempt has taken the saga over', async () => {
    const { log, step } = recorder();
    const outcome = await runSaga({
      context: null, completed: [], pending: [step('a'), step('b', ['superseded'])], resuming: false, policy,
    });
    expect(outcome.status).toBe('superseded');
    expect(log).toEqual(['do a', 'do b']);
  });

  it('on a resumed saga, asks a step whether it already happened before acting', async () => {
    const { log, step } = recorder();
    await runSaga({ context: null, completed: [], pending: [step('a', [], { reconcile: () => true })], resuming: true, policy });
    expect(log).toEqual(['check a']);
  });

  it('takes an error nobody classified as ambiguous: retried, then suspended, nothing undone', async () => {
    const log: string[] = [];
    const claimed = defineCompensation<null>('claimed', async () => void log.push('undo claimed'));
    const parserBug = defineStep<null>('parse', async () => {
      log.push('do parse');
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    });
    const outcome = await runSaga({ context: null, completed: [claimed], pending: [parserBug], resuming: false, policy });
    expect(outcome.status).toBe('suspended');
    expect(log).toEqual(['do parse', 'do parse', 'do parse']);
  });

  it('stops at once when the time budget ran out, and undoes nothing', async () => {
    const { log, step } = recorder();
    const outcome = await runSaga({
      context: null, completed: [], pending: [step('a'), step('b', ['out_of_time'])], resuming: false, policy,
    });
    expect(outcome).toMatchObject({ status: 'suspended', compensationFailures: [] });
    expect(log).toEqual(['do a', 'do b']);
  });

  it('ends completed, and stops unwinding, when a compensation finds the saga had completed', async () => {
    const log: string[] = [];
    const claimed = defineCompensation<null>('claimed', async () => void log.push('undo claimed'));
    const created = defineStep<null>('create', async () => void log.push('do create'), {
      compensate: async () => {
        log.push('undo create');
        throw new SagaAlreadyCompleted('the last step had committed');
      },
    });
    const finish = defineStep<null>('finish', async () => {
      log.push('do finish');
      throw fail('definitive');
    });
    const outcome = await runSaga({ context: null, completed: [claimed], pending: [created, finish], resuming: false, policy });
    expect(outcome.status).toBe('completed');
    expect(log).toEqual(['do create', 'do finish', 'undo create']);
  });
});
