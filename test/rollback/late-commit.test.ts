/**
 * Late commits: a request the service gave up on still lands on Supabase afterwards. A remembered
 * answer must stay true all the same: no false "email taken", no director user left behind by a
 * registration that was undone, and under load every key ends registered.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertConsistent, registrationBody, startHarness, type Harness } from '../support/harness.js';
import { LANES } from '../support/lanes.js';

const CONCURRENT_REGISTRATIONS = 40;
const RETRY_DEADLINE_MS = 90_000;

const countBy = (values: string[]) => Object.fromEntries([...new Set(values)].map((v) => [v, values.filter((x) => x === v).length]));

/** Retries one registration with its key, as the typed client does, until the answer is final. */
async function registerUntilFinal(h: Harness, body: object, key: string) {
  const deadline = Date.now() + RETRY_DEADLINE_MS;
  for (;;) {
    const response = await h.register(body, key);
    const retryable = response.status === 503 || (response.status === 409 && ['idempotency_key_in_use', 'conflict_pending'].includes(response.body.code));
    if (!retryable || Date.now() > deadline) return response;
    await sleep(Math.min(Number(response.headers['retry-after'] ?? 1), 1) * 200);
  }
}

describe.each(LANES)('late commits on %s', (lane) => {
  describe('a director user that lands after its registration was undone', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(lane);
    });
    afterAll(async () => {
      await h?.close();
    });

    it('is refused by the database: nothing is left behind, and a retry registers once', async () => {
      const body = registrationBody();
      const key = randomUUID();
      // The first createUser lands late; the second is refused outright, so the saga unwinds.
      h.faults.inject('createUser', 'late_commit', 1).inject('createUser', 'client_error', 1);
      const first = await h.register(body, key);
      expect([first.status, first.body.code]).toEqual([500, 'registration_failed']);
      h.faults.clear();
      await h.faults.drain();

      const state = await h.state();
      assertConsistent(state);
      expect(state.users.filter((u) => u.email === body.directorEmail)).toEqual([]);
      expect(state.keys.find((k) => k.key === key)?.recovery_point).toBe('compensated');

      const retried = await h.register(body, key);
      expect(retried.status, JSON.stringify(retried.body)).toBe(201);
      expect((await h.state()).users.filter((u) => u.email === body.directorEmail)).toHaveLength(1);
    });
  });

  describe(`load: ${CONCURRENT_REGISTRATIONS} concurrent registrations with unique data and a short Supabase timeout`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(lane, { SUPABASE_TIMEOUT_MS: '250', REQUEST_DEADLINE_MS: '2500', IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '3' });
      // A slow network on the saga's calls: three in ten take 600 ms, outlast the 250 ms timeout and
      // commit late, some while the retry that follows is already reconciling. The rest are quick,
      // so a loaded machine still makes progress.
      for (const call of ['claim', 'createUser', 'complete'] as const) h.faults.slow(call, () => (Math.random() < 0.3 ? 600 : 0));
    });
    afterAll(async () => {
      await h?.close();
    });

    it('end with 0 false rejections and every key settled as registered', async () => {
      const requests = Array.from({ length: CONCURRENT_REGISTRATIONS }, () => ({ body: registrationBody(), key: randomUUID() }));
      const answers = await Promise.all(requests.map(({ body, key }) => registerUntilFinal(h, body, key)));

      const outcomes = answers.map((a) => (a.status === 201 ? '201' : `${a.status} ${a.body.code}`));
      // The load must have made calls time out, or this proves nothing: more creates than users.
      expect(h.faults.count('createUser')).toBeGreaterThan(CONCURRENT_REGISTRATIONS);
      console.info(`[late-commit load, ${lane}] createUser calls: ${h.faults.count('createUser')}, outcomes:`, JSON.stringify(countBy(outcomes)));
      const falseRejections = outcomes.filter((o) => o === '409 email_taken' || o === '409 subdomain_taken');
      expect(falseRejections).toEqual([]);
      expect(outcomes.filter((o) => o !== '201')).toEqual([]);

      const state = await h.state();
      assertConsistent(state);
      for (const { body, key } of requests) {
        expect(state.keys.find((k) => k.key === key)?.recovery_point).toBe('finished');
        expect(state.users.filter((u) => u.email === body.directorEmail)).toHaveLength(1);
        expect(state.institutions.filter((i) => i.subdomain === body.subdomain).map((i) => i.status)).toEqual(['trial']);
      }
    }, 180_000);
  });
});
