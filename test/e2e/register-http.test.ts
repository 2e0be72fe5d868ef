/** The register endpoint's HTTP contract through supertest, over the embedded Supabase on PGlite. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationBody, startHarness, type Harness } from '../support/harness.js';

describe('POST /api/v1/institutions/register', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(async () => {
    await h?.close();
  });

  const expectNothingWritten = async () => {
    const state = await h.state();
    expect({ institutions: state.institutions.length, users: state.users.length, keys: state.keys.length }).toEqual({
      institutions: 0,
      users: 0,
      keys: 0,
    });
  };

  it('rejects bad bodies before anything is written', async () => {
    const cases: [string, () => ReturnType<Harness['register']>, number, string][] = [
      ['malformed JSON', () => h.register({}).send('{"name":'), 400, 'malformed_json'],
      ['not JSON', () => h.register({}).set('Content-Type', 'text/plain').send('name=x'), 415, 'unsupported_media_type'],
      ['over 16 KiB', () => h.register(registrationBody({ name: 'x'.repeat(17_000) })), 413, 'payload_too_large'],
      ['no Idempotency-Key', () => h.register(registrationBody(), null), 400, 'idempotency_key_missing'],
      ['an empty Idempotency-Key', () => h.register(registrationBody(), ' '), 400, 'idempotency_key_invalid'],
      ['a 256-character Idempotency-Key', () => h.register(registrationBody(), 'k'.repeat(256)), 400, 'idempotency_key_invalid'],
      ['an array body', () => h.register([registrationBody()]), 400, 'validation_failed'],
    ];
    for (const [name, send, status, code] of cases) {
      const response = await send();
      expect([name, response.status, response.body.code]).toEqual([name, status, code]);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: `/problems/${code}`, status });
    }
    await expectNothingWritten();
  });

  it('names every offending field, unknown fields included', async () => {
    const response = await h.register({
      name: ' x ',
      subdomain: 'Bad_Label',
      directorEmail: 'not-an-email',
      directorPassword: 'short',
      directorFullName: '',
      plan: 'gold',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['directorEmail', 'directorFullName', 'directorPassword', 'name', 'plan', 'subdomain'],
    );
    await expectNothingWritten();
  });

  it('rejects reserved subdomains and passwords over 72 bytes', async () => {
    const reserved = await h.register(registrationBody({ subdomain: 'admin' }));
    expect(reserved.body.errors).toEqual([{ field: 'subdomain', message: 'is reserved' }]);
    const long = await h.register(registrationBody({ directorPassword: 'é'.repeat(37) }));
    expect(long.body.errors).toEqual([{ field: 'directorPassword', message: 'must be at most 72 bytes' }]);
    await expectNothingWritten();
  });

  it('registers: 201, Location, the documented body, normalised input, never the password', async () => {
    const body = registrationBody({ name: '  Shelbyville High  ', directorEmail: '  Principal@Example.COM ' });
    const response = await h.register(body);
    expect(response.status).toBe(201);
    expect(response.headers.location).toBe(`/api/v1/institutions/${response.body.institution.id}`);
    expect(response.body).toEqual({
      institution: { id: expect.any(String), name: 'Shelbyville High', subdomain: body.subdomain, status: 'trial' },
      director: { id: expect.any(String), email: 'principal@example.com', fullName: 'Seymour Skinner' },
    });
    expect(JSON.stringify(response.body)).not.toContain(body.directorPassword);
    const [stored] = await h.local.db.query<{ dump: string }>(
      "select (select json_agg(k)::text from public.idempotency_keys k) || (select json_agg(u)::text from auth.users u) as dump",
    );
    expect(stored!.dump).not.toContain(body.directorPassword);
  });

  it('answers 409 subdomain_taken and email_taken, remembered for the key', async () => {
    const first = registrationBody();
    await h.register(first).expect(201);
    const key = randomUUID();
    const taken = await h.register(registrationBody({ subdomain: first.subdomain }), key);
    expect([taken.status, taken.body.code]).toEqual([409, 'subdomain_taken']);
    const emailKey = randomUUID();
    const sameEmail = registrationBody({ directorEmail: first.directorEmail.toUpperCase() });
    const email = await h.register(sameEmail, emailKey);
    expect([email.status, email.body.code]).toEqual([409, 'email_taken']);
    const replay = await h.register(sameEmail, emailKey);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.code).toBe('email_taken');
  });

  it('sets security headers and echoes a sane X-Request-Id, replacing an insane one', async () => {
    const sane = await h.register({}).set('X-Request-Id', 'req-123');
    expect(sane.headers['x-request-id']).toBe('req-123');
    expect(sane.headers['x-powered-by']).toBeUndefined();
    expect(sane.headers['x-content-type-options']).toBe('nosniff');
    const insane = await h.register({}).set('X-Request-Id', 'bad id\twith spaces');
    expect(insane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with 404 problem+json and reports readiness', async () => {
    const { default: supertest } = await import('supertest');
    const missing = await supertest(h.app).get('/api/v1/nothing');
    expect([missing.status, missing.body.code]).toEqual([404, 'not_found']);
    const ready = await supertest(h.app).get('/readyz');
    expect(ready.body).toEqual({ status: 'ready', backend: 'supabase' });
  });
});

describe('logs', () => {
  it('never contain the password or the service key, even when the saga fails and compensates', async () => {
    const logs: string[] = [];
    const h = await startHarness('pglite', {}, logs);
    try {
      const body = registrationBody({ directorPassword: 'Sup3r-Secret-Passw0rd!' });
      h.faults.inject('complete', 'client_error', 1);
      await h.register(body).set('Authorization', 'Bearer client-token').expect(500);
      await h.register(body).expect(201);
      expect(logs.length).toBeGreaterThanOrEqual(3);
      const all = logs.join('\n');
      expect(all).toContain('registration saga did not complete');
      expect(all).not.toContain('Sup3r-Secret-Passw0rd!');
      expect(all).not.toContain(h.local.serviceRoleKey);
      expect(all).not.toContain('client-token');
    } finally {
      await h.close();
    }
  });
});

describe('rate limit', () => {
  it('answers 429 problem+json with Retry-After past REGISTER_RATE_LIMIT_PER_MINUTE', async () => {
    const h = await startHarness('pglite', { REGISTER_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      await h.register({}).expect(400);
      await h.register({}).expect(400);
      const limited = await h.register({});
      expect([limited.status, limited.body.code]).toEqual([429, 'rate_limited']);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });
});
