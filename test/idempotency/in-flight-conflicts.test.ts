/**
 * A rejection that depends on a registration still in flight is not final: it is answered 409
 * conflict_pending with Retry-After, nothing is remembered, and a retry with the same key decides
 * again once the holder has settled.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertConsistent, registrationBody, startHarness, type Harness } from '../support/harness.js';
import { LANES } from '../support/lanes.js';

describe.each(LANES)('conflicts with a registration in flight on %s', (lane) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(lane);
  });
  afterAll(async () => {
    await h?.close();
  });

  const keyOf = async (key: string) => (await h.state()).keys.find((k) => k.key === key);

  /** A registration that stalls at `call` (so it is in flight), and fails for good once let go. */
  async function stalledHolder(call: 'createUser' | 'complete') {
    const holder = registrationBody();
    const stalled = h.faults.pause(call);
    h.faults.inject(call, 'client_error', 1);
    const answer = h.register(holder).then((response) => response);
    await stalled.reached;
    return {
      holder,
      async failForGood() {
        stalled.release();
        const response = await answer;
        h.faults.clear();
        return response;
      },
    };
  }

  async function expectPending(body: object, key: string, field: string) {
    const pending = await h.register(body, key);
    expect([pending.status, pending.body.code]).toEqual([409, 'conflict_pending']);
    expect(pending.body.errors).toEqual([{ field, message: 'is claimed by a registration still in progress' }]);
    expect(Number(pending.headers['retry-after'])).toBeGreaterThan(0);
    expect(pending.headers['idempotent-replayed']).toBeUndefined();
    expect((await keyOf(key))?.recovery_point).toBe('compensated');
  }

  it('a subdomain held by a pending institution: 409 conflict_pending, then 201 once the holder is undone', async () => {
    // The holder stalls before creating its director: its institution is `pending`.
    const { holder, failForGood } = await stalledHolder('createUser');
    const key = randomUUID();
    const body = registrationBody({ subdomain: holder.subdomain });
    await expectPending(body, key, 'subdomain');

    expect((await failForGood()).status).toBe(500);
    const decided = await h.register(body, key);
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    expect(decided.headers['idempotent-replayed']).toBeUndefined();
    assertConsistent(await h.state());
  });

  it('an email held by a director whose registration is unfinished: 409 conflict_pending, then 201 once it is undone', async () => {
    // The holder's director user exists; the holder stalls before completing.
    const { holder, failForGood } = await stalledHolder('complete');
    const key = randomUUID();
    const body = registrationBody({ directorEmail: holder.directorEmail });
    await expectPending(body, key, 'directorEmail');
    expect((await h.state()).institutions.filter((i) => i.subdomain === body.subdomain)).toEqual([]);

    expect((await failForGood()).status).toBe(500);
    const decided = await h.register(body, key);
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    assertConsistent(await h.state());
  });

  it('a settled holder makes a final answer: remembered, and only its replays say Idempotent-Replayed', async () => {
    const holder = registrationBody();
    await h.register(holder).expect(201);
    for (const [body, code] of [
      [registrationBody({ subdomain: holder.subdomain }), 'subdomain_taken'],
      [registrationBody({ directorEmail: holder.directorEmail }), 'email_taken'],
    ] as const) {
      const key = randomUUID();
      const first = await h.register(body, key);
      expect([first.status, first.body.code, first.headers['idempotent-replayed']]).toEqual([409, code, undefined]);
      const replay = await h.register(body, key);
      expect([replay.status, replay.body.code, replay.headers['idempotent-replayed']]).toEqual([409, code, 'true']);
      expect((await keyOf(key))?.recovery_point).toBe('finished');
    }
  });
});
