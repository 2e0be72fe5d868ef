/** The register endpoint's HTTP contract through supertest, over the embedded Supabase on PGlite. */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { assembleApp, connectSupabase } from '../../src/service.js';
import { registrationBody, startHarness, supabaseEnv, type Harness } from '../support/harness.js';

describe('POST /api/v1/institutions/register', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A body sent byte for byte (superagent would otherwise JSON-encode a Buffer), with a Content-Encoding. */
  const encoded = (encoding: string, body: Buffer) =>
    supertest(h.app)
      .post('/api/v1/institutions/register')
      .set({ 'Content-Type': 'application/json', 'Content-Encoding': encoding, 'Idempotency-Key': randomUUID() })
      .serialize((bytes: unknown) => bytes as string)
      .send(body);

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
      ['two Idempotency-Key headers', () => h.register(registrationBody(), null).set('Idempotency-Key', ['a', 'b'] as unknown as string) /* two field lines */, 400, 'idempotency_key_invalid'],
      ['a corrupt gzip body', () => encoded('gzip', Buffer.from('not gzip at all')), 400, 'unreadable_body'],
      ['a corrupt deflate body', () => encoded('deflate', Buffer.from('not deflate')), 400, 'unreadable_body'],
      ['a corrupt br body', () => encoded('br', Buffer.from('not brotli')), 400, 'unreadable_body'],
      ['an unsupported Content-Encoding', () => encoded('compress', Buffer.from('x')), 415, 'unsupported_content_encoding'],
    ];
    for (const [name, send, status, code] of cases) {
      const response = await send();
      expect([name, response.status, response.body.code]).toEqual([name, status, code]);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: `/problems/${code}`, status });
    }
    await expectNothingWritten();
  });

  it('refuses text Postgres cannot store or a reader would misread, naming the field, before anything is written', async () => {
    const hostile: [string, string][] = [
      ['name', 'Spring\u0000field'],
      ['directorFullName', 'Seymour \u0000Skinner'],
      ['name', 'Springfield \ud800'],
      ['directorFullName', '\udfffSeymour'],
      ['name', 'Spring\u0007field'],
      ['name', 'Spring\u0085field'],
      ['directorFullName', '\u001b[31mSeymour\u001b[0m'],
      ['name', 'Springfield \u202Eloohcs'],
      ['directorFullName', 'Seymour \u2066Skinner'],
      ['name', '\u200B\u200B\u200B\u200B'],
      ['directorFullName', '\u200D\uFEFF'],
    ];
    for (const [field, value] of hostile) {
      const response = await h.register(registrationBody({ [field]: value }));
      expect([JSON.stringify(value), response.status, response.body.code]).toEqual([JSON.stringify(value), 400, 'validation_failed']);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    const surrogatePassword = await h.register(registrationBody({ directorPassword: 'correct horse \ud800 staple' }));
    expect(surrogatePassword.body.errors.map((e: { field: string }) => e.field)).toEqual(['directorPassword']);
    await expectNothingWritten();
  });

  it('answers 405 with Allow: POST to other methods on the register route', async () => {
    for (const method of ['get', 'put', 'patch', 'delete'] as const) {
      const response = await supertest(h.app)[method]('/api/v1/institutions/register');
      expect([method, response.status, response.headers.allow, response.body.code]).toEqual([method, 405, 'POST', 'method_not_allowed']);
    }
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
    expect(taken.headers['idempotent-replayed']).toBeUndefined();
    const emailKey = randomUUID();
    const sameEmail = registrationBody({ directorEmail: first.directorEmail.toUpperCase() });
    const email = await h.register(sameEmail, emailKey);
    expect([email.status, email.body.code]).toEqual([409, 'email_taken']);
    const replay = await h.register(sameEmail, emailKey);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.code).toBe('email_taken');
  });

  it('stores names NFC-normalised and trimmed, so both spellings of one name are one request', async () => {
    const decomposed = registrationBody({ name: '  E\u0301cole Saint-Roch ', directorFullName: 'Zoe\u0308 Martin' });
    const key = randomUUID();
    const first = await h.register(decomposed, key);
    expect(first.status).toBe(201);
    expect(first.body.institution.name).toBe('\u00C9cole Saint-Roch');
    expect(first.body.director.fullName).toBe('Zo\u00EB Martin');
    const composed = await h.register({ ...decomposed, name: '\u00C9cole Saint-Roch', directorFullName: 'Zo\u00EB Martin' }, key);
    expect([composed.status, composed.headers['idempotent-replayed']]).toEqual([201, 'true']);
  });

  it('reads a well-formed gzip body', async () => {
    const response = await encoded('gzip', gzipSync(JSON.stringify(registrationBody())));
    expect(response.status).toBe(201);
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

describe('logs', () => {
  it('a corrupt body is logged at info, as one JSON record without a stack', async () => {
    const logs: string[] = [];
    const h = await startHarness('pglite', {}, logs);
    try {
      await supertest(h.app)
        .post('/api/v1/institutions/register')
        .set({ 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Idempotency-Key': randomUUID() })
        .serialize((bytes: unknown) => bytes as string)
        .send(Buffer.from('not gzip'))
        .expect(400);
      const records = logs.map((line) => JSON.parse(line) as { level: number; msg: string; err?: unknown });
      const completed = records.find((r) => r.msg === 'request completed');
      expect(completed?.level).toBe(30);
      expect(logs.join('\n')).not.toMatch(/stack|at .*\.js:\d+/);
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

  it('is one limit for every instance on one Supabase (the database store), N limits with the memory store', async () => {
    const logs: string[] = [];
    const h = await startHarness('pglite', { REGISTER_RATE_LIMIT_PER_MINUTE: '2' }, logs);
    try {
      const secondInstance = async (store: string) => {
        const config = loadConfig({
          ...supabaseEnv(h.local),
          REGISTER_RATE_LIMIT_PER_MINUTE: '2',
          RATE_LIMIT_STORE: store,
        });
        const logger = pino({ level: 'silent' });
        return assembleApp(config, await connectSupabase(config, logger), logger).app;
      };
      const shared = await secondInstance('database');
      const post = (app: typeof h.app) => supertest(app).post('/api/v1/institutions/register').set('Idempotency-Key', randomUUID()).send({});
      await post(h.app).expect(400);
      await post(shared).expect(400);
      expect((await post(shared)).status).toBe(429);
      expect((await post(h.app)).status).toBe(429);

      const alone = await secondInstance('memory');
      await post(alone).expect(400);
      await post(alone).expect(400);
      expect((await post(alone)).status).toBe(429);
    } finally {
      await h.close();
    }
  });

  it('writes its configuration warnings as one JSON log record, never to stderr', async () => {
    const logs: string[] = [];
    const h = await startHarness('pglite', { REGISTER_RATE_LIMIT_PER_MINUTE: '5' }, logs);
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => stderr.push(String(chunk)) > 0) as typeof process.stderr.write;
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void stderr.push(args.map(String).join(' '));
    try {
      await h.register({}).set('X-Forwarded-For', '203.0.113.7').expect(400);
    } finally {
      process.stderr.write = write;
      console.warn = warn;
      await h.close();
    }
    expect(stderr).toEqual([]);
    const warning = logs.map((line) => JSON.parse(line) as { level: number; msg: string; code?: string }).find((r) => /rate limiter/.test(r.msg));
    expect(warning).toMatchObject({ level: 40, code: 'ERR_ERL_UNEXPECTED_X_FORWARDED_FOR' });
  });
});
