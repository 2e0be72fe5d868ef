/** Idempotency-Key rules, measured through the calls the service makes to Supabase and the rows it leaves. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/idempotency/fingerprint.js';
import { recoverAbandoned } from '../../src/registration/recover-abandoned.js';
import { assertConsistent, registrationBody, startHarness, type Harness } from '../support/harness.js';
import { LANES } from '../support/lanes.js';

describe.each(LANES)('idempotency keys on %s', (lane) => {
  let h: Harness;
  beforeAll(async () => {
    // A short lock, so a takeover costs four seconds; one attempt's budget (deadline + a call) fits
    // inside it, with room for a loaded machine.
    h = await startHarness(lane, { IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '4', SUPABASE_TIMEOUT_MS: '1500', REQUEST_DEADLINE_MS: '2400' });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.faults.clear();
    h.faults.calls.length = 0;
  });

  it('a fresh registration costs 3 calls; its replay 1, with the same status and body', async () => {
    const body = registrationBody();
    const key = randomUUID();
    const first = await h.register(body, key);
    expect(first.status).toBe(201);
    expect(h.faults.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /rest/v1/rpc/registration_begin',
      'POST /auth/v1/admin/users',
      'POST /rest/v1/rpc/registration_complete',
    ]);
    h.faults.calls.length = 0;
    const replay = await h.register(body, key);
    expect(h.faults.count()).toBe(1);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers.location).toBe(first.headers.location);
    expect(replay.body).toEqual(first.body);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a replay and a remembered rejection read the key without locking or writing it', async () => {
    const rowVersion = async (key: string) =>
      (await h.local.db.query<{ xmin: string; xmax: string }>('select xmin::text, xmax::text from public.idempotency_keys where key = $1', [key]))[0];
    const body = registrationBody();
    const key = randomUUID();
    await h.register(body, key).expect(201);
    const settled = await rowVersion(key);
    await h.register(body, key).expect(201);
    const taken = randomUUID();
    const sameSubdomain = registrationBody({ subdomain: body.subdomain });
    await h.register(sameSubdomain, taken).expect(409);
    const rejected = await rowVersion(taken);
    await h.register(sameSubdomain, taken).expect(409);
    // FOR UPDATE would have stamped xmax with the reading transaction; an UPDATE would change xmin.
    expect(await rowVersion(key)).toEqual(settled);
    expect(await rowVersion(taken)).toEqual(rejected);
  });

  it('the same key with another payload is 422 idempotency_key_reused, in 1 call', async () => {
    const key = randomUUID();
    await h.register(registrationBody(), key).expect(201);
    h.faults.calls.length = 0;
    const reused = await h.register(registrationBody(), key);
    expect([reused.status, reused.body.code]).toEqual([422, 'idempotency_key_reused']);
    expect(h.faults.count()).toBe(1);
  });

  it('the same key while the first request runs is 409 idempotency_key_in_use with Retry-After, in 1 call', async () => {
    const body = registrationBody();
    const key = randomUUID();
    const pause = h.faults.pause('createUser');
    const first = h.register(body, key).then((r) => r);
    await pause.reached;
    h.faults.calls.length = 0;
    const second = await h.register(body, key);
    expect([second.status, second.body.code]).toEqual([409, 'idempotency_key_in_use']);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
    expect(h.faults.count()).toBe(1);
    pause.release();
    expect((await first).status).toBe(201);
  });

  it('keeps the password out of the stored fingerprint: the same key with another password replays the first answer', async () => {
    const body = registrationBody();
    const key = randomUUID();
    const first = await h.register(body, key);
    expect(first.status).toBe(201);
    const retried = await h.register({ ...body, directorPassword: 'another passphrase entirely' }, key);
    expect([retried.status, retried.headers['idempotent-replayed']]).toEqual([201, 'true']);
    expect(retried.body).toEqual(first.body);
    // What is stored is the HMAC of the body without the password: nothing a dump could test a password guess against.
    const { directorPassword: _password, ...withoutPassword } = body;
    const [stored] = await h.local.db.query<{ fingerprint: string }>('select fingerprint from public.idempotency_keys where key = $1', [key]);
    expect(stored!.fingerprint).toBe(fingerprint(h.deps.settings.fingerprintSecret, withoutPassword));
  });

  it('requests that fail validation make no call and claim no key', async () => {
    const key = randomUUID();
    await h.register({ ...registrationBody(), subdomain: 'NOPE' }, key).expect(400);
    expect(h.faults.count()).toBe(0);
    await h.register(registrationBody(), key).expect(201);
  });

  it('a lock older than the timeout belongs to a dead attempt: the next request takes over and finishes', async () => {
    const body = registrationBody();
    const key = randomUUID();
    const stalled = h.faults.pause('createUser');
    const first = h.register(body, key).then((r) => r);
    await stalled.reached;
    await sleep(4_100);
    const second = await h.register(body, key);
    expect(second.status).toBe(201);
    stalled.release();
    // The stalled attempt's budget ran out while it stood still: it stops, and changes nothing.
    const late = await first;
    expect([late.status, late.body.code]).toEqual([503, 'registration_incomplete']);
    const state = await h.state();
    assertConsistent(state);
    expect(state.institutions.filter((i) => i.subdomain === body.subdomain).map((i) => i.status)).toEqual(['trial']);
    expect((await h.register(body, key)).body).toEqual(second.body);
  });

  it('the recovery sweep finishes an interrupted registration whose user exists; a retry replays it', async () => {
    const body = registrationBody();
    const key = randomUUID();
    h.faults.inject('complete', 'server_error', Infinity);
    await h.register(body, key).expect(503);
    h.faults.clear();
    const summary = await recoverAbandoned(h.deps, { idleSeconds: 0, limit: 10 });
    expect(summary.settled).toBeGreaterThanOrEqual(1);
    const replay = await h.register(body, key);
    expect([replay.status, replay.headers['idempotent-replayed']]).toEqual([201, 'true']);
    assertConsistent(await h.state());
  });

  it('the recovery sweep undoes an interrupted registration it cannot finish; a retry starts afresh', async () => {
    const body = registrationBody();
    const key = randomUUID();
    h.faults.inject('createUser', 'request_lost', Infinity);
    await h.register(body, key).expect(503);
    h.faults.clear();
    await recoverAbandoned(h.deps, { idleSeconds: 0, limit: 10 });
    const state = await h.state();
    assertConsistent(state);
    expect(state.institutions.filter((i) => i.subdomain === body.subdomain)).toEqual([]);
    expect(state.keys.find((k) => k.key === key)?.recovery_point).toBe('compensated');
    const retry = await h.register(body, key);
    expect([retry.status, retry.headers['idempotent-replayed']]).toEqual([201, undefined]);
  });

  it('expired keys are purged once settled, and an expired key counts as new', async () => {
    const body = registrationBody();
    const key = randomUUID();
    await h.register(body, key).expect(201);
    await h.local.db.query("update public.idempotency_keys set expires_at = now() - interval '1 second' where key = $1", [key]);
    const other = registrationBody();
    const reusedAfterExpiry = await h.register(other, key);
    expect(reusedAfterExpiry.status).toBe(201);
    await h.local.db.query("update public.idempotency_keys set expires_at = now() - interval '1 second' where key = $1", [key]);
    expect(await h.deps.gateway.purgeExpiredKeys()).toBeGreaterThanOrEqual(1);
    expect((await h.state()).keys.find((k) => k.key === key)).toBeUndefined();
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('concurrency on PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('postgres');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('50 parallel requests with one key run exactly one saga: every answer 201 or 409, one institution', async () => {
    const body = registrationBody();
    const key = randomUUID();
    h.faults.calls.length = 0;
    const answers = await Promise.all(Array.from({ length: 50 }, () => h.register(body, key)));
    const statuses = answers.map((a) => (a.status === 409 ? `409 ${a.body.code}` : String(a.status)));
    expect(new Set(statuses)).toEqual(new Set(statuses.filter((s) => s === '201' || s === '409 idempotency_key_in_use')));
    expect(statuses).toContain('201');
    expect(h.faults.count('createUser')).toBe(1);
    expect(h.faults.count('complete')).toBe(1);
    const state = await h.state();
    expect(state.institutions.filter((i) => i.subdomain === body.subdomain)).toHaveLength(1);
    assertConsistent(state);
  });

  it('parallel registrations of one subdomain with different keys: one 201; the rest 409, final once the winner settled', async () => {
    const subdomain = registrationBody().subdomain;
    const requests = Array.from({ length: 12 }, () => ({ body: registrationBody({ subdomain }), key: randomUUID() }));
    const answers = await Promise.all(requests.map(({ body, key }) => h.register(body, key)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    // While the winner is still pending, a loser's answer is not final.
    expect(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.body.code}`).filter((s) => !/^409 (subdomain_taken|conflict_pending)$/.test(s))).toEqual([]);
    const retried = await Promise.all(requests.map(({ body, key }, i) => (answers[i]!.body.code === 'conflict_pending' ? h.register(body, key) : answers[i]!)));
    expect(retried.filter((a) => a.status !== 201).every((a) => a.status === 409 && a.body.code === 'subdomain_taken')).toBe(true);
    const state = await h.state();
    assertConsistent(state);
    expect(state.institutions.filter((i) => i.subdomain === subdomain)).toHaveLength(1);
  });
});
