/**
 * Rollback suite: every remote call of a registration × every way the network breaks it, once and
 * always, and compensations that fail once and always. Each case asserts the HTTP answer, the
 * database's end state through SQL, and that a retry with the same key then ends in one registration.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS, type CallName, type Fault } from '../support/fault-fetch.js';
import { assertConsistent, registrationBody, startHarness, type Harness } from '../support/harness.js';
import { LANES } from '../support/lanes.js';

type Ending = 'registered' | 'failed' | 'unavailable' | 'incomplete';

interface Case {
  call: CallName;
  fault: Fault;
  times: number;
  ending: Ending;
}

const EXPECTED_ANSWER: Record<Ending, { status: number; code?: string }> = {
  registered: { status: 201 },
  failed: { status: 500, code: 'registration_failed' },
  unavailable: { status: 503, code: 'supabase_unavailable' },
  incomplete: { status: 503, code: 'registration_incomplete' },
};

/** What a fault on a saga call must end in: the oracle the matrix is generated from. */
function endingOf(call: CallName, fault: Fault, times: number): Ending {
  if (fault === 'client_error') return 'failed';
  if (times === 1) return 'registered';
  const mayHaveHappened = fault === 'response_lost' || fault === 'timeout' || fault === 'late_commit';
  if (call === 'claim') return 'unavailable';
  // The user was created by the first try; reconciling by its id finds it and the saga goes on.
  if (call === 'createUser' && mayHaveHappened) return 'registered';
  return 'incomplete';
}

const sagaCases: Case[] = (['claim', 'createUser', 'complete'] as const).flatMap((call) =>
  FAULTS.flatMap((fault) => [1, Infinity].map((times) => ({ call, fault, times, ending: endingOf(call, fault, times) }))),
);

/** Compensations run after a definitive failure of the last call; they fail once (and recover) or always. */
const compensationCases: Case[] = (['deleteUser', 'abort'] as const).flatMap((call) =>
  (['request_lost', 'response_lost', 'late_commit', 'server_error'] as const).flatMap((fault) =>
    [1, Infinity].map((times) => ({ call, fault, times, ending: times === 1 ? ('failed' as const) : ('incomplete' as const) })),
  ),
);

const label = (c: Case) => `${c.call} ${c.fault} ${c.times === 1 ? 'once' : 'always'} → ${c.ending}`;

async function retryUntilSettled(h: Harness, body: object, key: string) {
  for (let tries = 0; tries < 5; tries++) {
    const response = await h.register(body, key);
    if (response.status !== 409 || response.body.code !== 'idempotency_key_in_use') return response;
    await sleep(Number(response.headers['retry-after'] ?? 1) * 1000);
  }
  throw new Error('the key stayed in use');
}

describe.each(LANES)('registration rollback on %s', (lane) => {
  let h: Harness;
  beforeAll(async () => {
    // A short timeout, so the injected `timeout` fault costs half a second.
    h = await startHarness(lane, { IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '1', SUPABASE_TIMEOUT_MS: '500' });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function check(c: Case, breakIt: () => void) {
    const body = registrationBody();
    const key = randomUUID();
    breakIt();
    const first = await h.register(body, key);
    h.faults.clear();
    // Requests the service gave up on land now, after its answer, as a slow network delivers them.
    await h.faults.drain();

    const expected = EXPECTED_ANSWER[c.ending];
    expect(first.status, JSON.stringify(first.body)).toBe(expected.status);
    if (expected.code) {
      expect(first.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(first.body.code).toBe(expected.code);
    }
    if (expected.status === 503) expect(Number(first.headers['retry-after'])).toBeGreaterThan(0);

    const afterFirst = await h.state();
    assertConsistent(afterFirst);
    const mine = afterFirst.institutions.filter((i) => i.subdomain === body.subdomain);
    const myUsers = afterFirst.users.filter((u) => u.email === body.directorEmail);
    if (c.ending === 'registered') {
      expect(mine.map((i) => i.status)).toEqual(['trial']);
      expect(myUsers).toHaveLength(1);
    }
    if (c.ending === 'failed') {
      expect(mine).toEqual([]);
      expect(myUsers).toEqual([]);
    }
    if (c.ending === 'incomplete') {
      expect(afterFirst.keys.find((k) => k.key === key)?.recovery_point).toMatch(/^(institution_created|finished|compensated)$/);
    }

    const retried = await retryUntilSettled(h, body, key);
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    const afterRetry = await h.state();
    assertConsistent(afterRetry);
    expect(afterRetry.institutions.filter((i) => i.subdomain === body.subdomain).map((i) => i.status)).toEqual(['trial']);
    expect(afterRetry.users.filter((u) => u.email === body.directorEmail)).toHaveLength(1);
    expect(afterRetry.keys.find((k) => k.key === key)?.recovery_point).toBe('finished');
  }

  it.each(sagaCases.map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    await check(c, () => h.faults.inject(c.call, c.fault, c.times));
  });

  it.each(compensationCases.map((c) => [label(c), c] as const))('compensation: %s', async (_name, c) => {
    await check(c, () => {
      h.faults.inject('complete', 'client_error', 1);
      h.faults.inject(c.call, c.fault, c.times);
    });
  });
});
