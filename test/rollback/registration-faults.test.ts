/**
 * Rollback suite: every remote call of a registration × every way the network breaks it — at the
 * HTTP boundary (a fetch wrapper) and on the socket (a proxy that cuts, delays or mangles the
 * body after the server did the work) — once and always, and compensations that fail once and
 * always. Each case asserts the HTTP answer, the database's end state through SQL (a 201 has its
 * director, a 500 left nothing, no key is left locked), and that a retry with the same key then
 * ends in exactly one registration.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS, type CallName, type Fault } from '../support/fault-fetch.js';
import { SOCKET_FAULTS, type FaultProxy, type SocketFault } from '../support/fault-proxy.js';
import { assertConsistent, registrationBody, startSocketFaultHarness, type DatabaseState, type Harness } from '../support/harness.js';
import { LANES } from '../support/lanes.js';

type Ending = 'registered' | 'failed' | 'unavailable' | 'incomplete';
type AnyFault = Fault | SocketFault;
/** `replay`: the claim of a key whose registration is already settled. */
type Target = CallName | 'replay';

interface Case {
  call: Target;
  fault: AnyFault;
  times: number;
  ending: Ending;
}

const EXPECTED_ANSWER: Record<Ending, { status: number; code?: string }> = {
  registered: { status: 201 },
  failed: { status: 500, code: 'registration_failed' },
  unavailable: { status: 503, code: 'supabase_unavailable' },
  incomplete: { status: 503, code: 'registration_incomplete' },
};

const isSocketFault = (fault: AnyFault): fault is SocketFault => (SOCKET_FAULTS as string[]).includes(fault);

/** The server did the work; only its answer was lost, late or unreadable. */
const serverDidTheWork = (fault: AnyFault) => isSocketFault(fault) || ['response_lost', 'timeout', 'late_commit'].includes(fault);

/** What a fault on a saga call must end in: the oracle the matrix is generated from. */
function sagaEnding(call: Target, fault: AnyFault, times: number): Ending {
  if (fault === 'client_error') return 'failed';
  if (times === 1) return 'registered';
  if (call === 'claim' || call === 'replay') return 'unavailable';
  // The user was created by the first try; reconciling by its id finds it and the saga goes on.
  if (call === 'createUser' && serverDidTheWork(fault)) return 'registered';
  return 'incomplete';
}

/** Compensations run after a definitive failure of the last call. */
function compensationEnding(call: CallName, fault: AnyFault, times: number): Ending {
  if (times === 1) return 'failed';
  // The compensation looks the user up before deleting: a delete that happened is found done.
  if (call === 'deleteUser' && serverDidTheWork(fault)) return 'failed';
  return 'incomplete';
}

/** Where an incomplete registration must stand: the failing call's effect when the server did the work. */
function recoveryPointOf(c: Case): string {
  if (serverDidTheWork(c.fault) && c.call === 'complete') return 'finished';
  if (serverDidTheWork(c.fault) && c.call === 'abort') return 'compensated';
  return 'institution_created';
}

const bothTimes = [1, Infinity];

const sagaCases: Case[] = [
  ...(['claim', 'createUser', 'complete'] as const).flatMap((call) =>
    [...FAULTS, ...SOCKET_FAULTS].flatMap((fault) => bothTimes.map((times) => ({ call, fault, times, ending: sagaEnding(call, fault, times) }))),
  ),
  // getUserById runs when createUser's answer was lost; a replay is the claim of a settled key.
  ...(['findUser', 'replay'] as const).flatMap((call) =>
    SOCKET_FAULTS.flatMap((fault) => bothTimes.map((times) => ({ call, fault, times, ending: sagaEnding(call, fault, times) }))),
  ),
];

const compensationCases: Case[] = (['deleteUser', 'abort'] as const).flatMap((call) =>
  (['request_lost', 'response_lost', 'late_commit', 'server_error', ...SOCKET_FAULTS] as const).flatMap((fault) =>
    bothTimes.map((times) => ({ call, fault, times, ending: compensationEnding(call, fault, times) })),
  ),
);

const label = (c: Case) => `${c.call} ${c.fault} ${c.times === 1 ? 'once' : 'always'} → ${c.ending}`;

async function retryUntilSettled(h: Harness<FaultProxy>, body: object, key: string) {
  for (let tries = 0; tries < 10; tries++) {
    const response = await h.register(body, key);
    if (response.status !== 409 || response.body.code !== 'idempotency_key_in_use') return response;
    await sleep(Number(response.headers['retry-after'] ?? 1) * 1000);
  }
  throw new Error('the key stayed in use');
}

function mineIn(state: DatabaseState, body: { subdomain: string; directorEmail: string }, key: string) {
  const key_ = state.keys.find((k) => k.key === key);
  return {
    key: key_,
    institutions: state.institutions.filter((i) => i.subdomain === body.subdomain),
    users: state.users.filter((u) => u.email === body.directorEmail),
    profiles: state.profiles.filter((p) => p.institution_id === key_?.institution_id),
  };
}

describe.each(LANES)('registration rollback on %s', (lane) => {
  let h: Harness<FaultProxy>;
  beforeAll(async () => {
    // A short call timeout, so `timeout` and `body_late` cost half a second; the deadline leaves
    // room for a few of them, and the lock outlasts the deadline.
    h = await startSocketFaultHarness(lane, { IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '4', SUPABASE_TIMEOUT_MS: '500', REQUEST_DEADLINE_MS: '3000' });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function check(c: Case, breakIt: () => void) {
    const body = registrationBody();
    const key = randomUUID();
    if (c.call === 'replay') expect((await h.register(body, key)).status).toBe(201);
    breakIt();
    const first = await h.register(body, key);
    h.faults.clear();
    h.proxy.clear();
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
    const mine = mineIn(afterFirst, body, key);
    // No key is left locked, so the next try (or the sweep) can act at once — except by a claim
    // that lands after the answer: it takes the lock anew, until its lock times out.
    if (mine.key && !(c.call === 'claim' && c.fault === 'late_commit')) expect(mine.key.locked).toBe(false);
    if (c.ending === 'registered') {
      expect(mine.institutions.map((i) => i.status)).toEqual(['trial']);
      expect(mine.users).toHaveLength(1);
      expect(mine.profiles.map((p) => p.user_id)).toEqual(mine.users.map((u) => u.id));
      if (c.call === 'replay') expect(first.headers['idempotent-replayed']).toBe('true');
    }
    if (c.ending === 'failed') {
      // A 500 says nothing was saved: no row of the registration, and the key can start afresh.
      expect(mine.institutions).toEqual([]);
      expect(mine.users).toEqual([]);
      expect(mine.profiles).toEqual([]);
      // A claim refused outright never made the key; any other step's failure left it compensated.
      expect(mine.key?.recovery_point).toBe(c.call === 'claim' ? undefined : 'compensated');
    }
    if (c.ending === 'incomplete') {
      expect(mine.key?.recovery_point).toBe(recoveryPointOf(c));
      // A registration that finished has its director, whatever its first answer said.
      if (mine.key?.recovery_point === 'finished') expect(mine.users).toHaveLength(1);
    }

    const retried = await retryUntilSettled(h, body, key);
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    const afterRetry = await h.state();
    assertConsistent(afterRetry);
    const settled = mineIn(afterRetry, body, key);
    expect(settled.institutions.map((i) => i.status)).toEqual(['trial']);
    expect(settled.users).toHaveLength(1);
    expect(retried.body.director.id).toBe(settled.users[0]!.id);
    expect(settled.profiles.map((p) => p.user_id)).toEqual([settled.users[0]!.id]);
    expect(settled.key?.recovery_point).toBe('finished');
  }

  function inject(call: Target, fault: AnyFault, times: number) {
    const name = call === 'replay' ? 'claim' : call;
    if (isSocketFault(fault)) h.proxy.inject(name, fault, times);
    else h.faults.inject(name, fault, times);
  }

  it.each(sagaCases.map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    await check(c, () => {
      // getUserById is asked only after createUser's answer was lost.
      if (c.call === 'findUser') h.faults.inject('createUser', 'response_lost', 1);
      inject(c.call, c.fault, c.times);
    });
  });

  it.each(compensationCases.map((c) => [label(c), c] as const))('compensation: %s', async (_name, c) => {
    await check(c, () => {
      h.faults.inject('complete', 'client_error', 1);
      inject(c.call, c.fault, c.times);
    });
  });
});
