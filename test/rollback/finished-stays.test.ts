/**
 * Defence in depth: a registration that finished can never be undone, even when the service is
 * told (wrongly) that its last step failed. The database refuses, and the saga answers the 201.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabaseClient } from '../../src/supabase/client.js';
import { assertConsistent, registrationBody, startSocketFaultHarness, type Harness } from '../support/harness.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { LANES } from '../support/lanes.js';

describe.each(LANES)('a finished registration stays on %s', (lane) => {
  let h: Harness<FaultProxy>;
  beforeAll(async () => {
    h = await startSocketFaultHarness(lane);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function registered() {
    const body = registrationBody();
    const key = randomUUID();
    const response = await h.register(body, key);
    expect(response.status).toBe(201);
    const [row] = await h.local.db.query<{ id: string; locked_by: string }>(
      'select id, locked_by from public.idempotency_keys where key = $1',
      [key],
    );
    return { body, key, response, registrationId: row!.id, attempt: row!.locked_by };
  }

  it('its director cannot be deleted through GoTrue: the BEFORE DELETE guard refuses', async () => {
    const { response } = await registered();
    const admin = createSupabaseClient({ url: h.local.url, apiKey: h.local.serviceRoleKey });
    const { error } = await admin.auth.admin.deleteUser(response.body.director.id);
    expect(error?.status).toBe(500);
    const users = await h.local.db.query('select id from auth.users where id = $1', [response.body.director.id]);
    expect(users).toHaveLength(1);
    assertConsistent(await h.state());
  });

  it('registration_abort answers `finished` with the stored answer, and deletes nothing', async () => {
    const { response, registrationId, attempt } = await registered();
    const [answer] = await h.local.db.query<{ outcome: { outcome: string; result: { registration: unknown } } }>(
      'select public.registration_abort($1, $2, null, $3) as outcome',
      [registrationId, attempt, 'test'],
    );
    expect(answer!.outcome.outcome).toBe('finished');
    expect(answer!.outcome.result.registration).toEqual(response.body);
    const institutions = await h.local.db.query('select status from public.institutions where id = $1', [response.body.institution.id]);
    expect(institutions).toEqual([{ status: 'trial' }]);
  });

  it('a 400 after the last step committed is answered with the stored 201, and nothing is undone', async () => {
    const body = registrationBody();
    const key = randomUUID();
    h.proxy.inject('complete', 'rejected_after_commit', 1);
    const response = await h.register(body, key);
    h.proxy.clear();
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const state = await h.state();
    assertConsistent(state);
    expect(state.users.filter((u) => u.email === body.directorEmail).map((u) => u.id)).toEqual([response.body.director.id]);
    expect(state.institutions.filter((i) => i.subdomain === body.subdomain).map((i) => i.status)).toEqual(['trial']);
    const replay = await h.register(body, key);
    expect([replay.status, replay.headers['idempotent-replayed']]).toEqual([201, 'true']);
    expect(replay.body).toEqual(response.body);
  });

  it('a createUser refused by the auth.users guard (another attempt undid the registration) stops at once, touching nothing', async () => {
    const body = registrationBody();
    const key = randomUUID();
    const before = h.faults.count('createUser');
    const paused = h.faults.pause('createUser');
    const answer = h.register(body, key).then((r) => r);
    await paused.reached;
    // Meanwhile another attempt took the registration over and undid it.
    await h.local.db.query(
      `with k as (update public.idempotency_keys set recovery_point = 'compensated', locked_by = gen_random_uuid(), locked_until = null
                   where key = $1 returning institution_id)
       delete from public.institutions where id = (select institution_id from k)`,
      [key],
    );
    paused.release();
    const response = await answer;
    expect([response.status, response.body.code]).toEqual([409, 'idempotency_key_in_use']);
    // GoTrue's 500 was recognised as the guard's refusal, not retried as a passing failure.
    expect(h.faults.count('createUser') - before).toBe(1);
    const state = await h.state();
    assertConsistent(state);
    expect(state.users.filter((u) => u.email === body.directorEmail)).toEqual([]);
  });
});
