/**
 * Random faults on the socket between two instances and Supabase: a third of all answers is cut
 * half-way, arrives after the timeout, or is a gateway's 502 (before or after the server acted).
 * Each key's tries alternate between the instances, as behind a load balancer. Every key must end
 * 201 with its director, and no trial institution may lack its user or profile.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertConsistent, registrationBody, startSocketFaultHarness, type Harness, type Instance } from '../support/harness.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { LANES } from '../support/lanes.js';

const REGISTRATIONS = 16;
const FAULT_RATE = 0.35;
const RETRY_DEADLINE_MS = 150_000;

describe.each(LANES)('random socket faults over two instances on %s', (lane) => {
  let h: Harness<FaultProxy>;
  let instances: Instance<FaultProxy>[];
  beforeAll(async () => {
    h = await startSocketFaultHarness(lane, { SUPABASE_TIMEOUT_MS: '400', REQUEST_DEADLINE_MS: '2000', IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '3' });
    instances = [h, await h.anotherInstance()];
  });
  afterAll(async () => {
    await h?.close();
  });

  it(`end every key 201 with its director, at ${FAULT_RATE * 100} % faults`, async () => {
    for (const instance of instances) instance.proxy.chaos(FAULT_RATE);
    const requests = Array.from({ length: REGISTRATIONS }, () => ({ body: registrationBody(), key: randomUUID() }));
    const tries: number[] = [];
    const answers = await Promise.all(
      requests.map(async ({ body, key }) => {
        const deadline = Date.now() + RETRY_DEADLINE_MS;
        for (let attempt = 0; ; attempt++) {
          const response = await instances[attempt % instances.length]!.register(body, key);
          const retryable = response.status === 503 || (response.status === 409 && ['idempotency_key_in_use', 'conflict_pending'].includes(response.body.code));
          if (!retryable || Date.now() > deadline) {
            tries.push(attempt + 1);
            return response;
          }
          await sleep(Math.min(Number(response.headers['retry-after'] ?? 1), 1) * 250);
        }
      }),
    );
    for (const instance of instances) instance.proxy.clear();
    console.info(`[random faults, ${lane}] tries per key: ${tries.join(' ')}`);
    // The faults must have bitten, or this proves nothing.
    expect(Math.max(...tries)).toBeGreaterThan(1);

    expect(answers.map((a) => (a.status === 201 ? 201 : `${a.status} ${a.body.code}`))).toEqual(requests.map(() => 201));
    const state = await h.state();
    assertConsistent(state);
    for (const [i, { body, key }] of requests.entries()) {
      const director = answers[i]!.body.director.id;
      expect(state.users.filter((u) => u.email === body.directorEmail).map((u) => u.id)).toEqual([director]);
      expect(state.profiles.filter((p) => p.user_id === director)).toHaveLength(1);
      expect(state.institutions.filter((inst) => inst.subdomain === body.subdomain).map((inst) => inst.status)).toEqual(['trial']);
      expect(state.keys.find((k) => k.key === key)?.recovery_point).toBe('finished');
    }
  }, 200_000);
});
