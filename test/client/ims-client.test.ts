/**
 * The typed client against the real service through a loopback TCP proxy that loses answers,
 * resets connections and delays: it converges to exactly one registration with the ids the server
 * stored, never retries a definitive answer, and keeps its deadline and its AbortSignal.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistrationError, registerInstitution } from '../../src/client/ims-client.js';
import { registrationBody, startHarness, type Harness } from '../support/harness.js';
import { startTcpProxy, type ConnectionFate, type TcpProxy } from '../support/tcp-proxy.js';

describe('registerInstitution (the typed client) through a lossy network', () => {
  let h: Harness;
  let server: Server;
  let target: URL;
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    h = await startHarness('pglite');
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    target = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    server?.close();
    await h?.close();
  });

  /** A proxy where the first connection meets `first` and the rest pass. */
  async function through(first: ConnectionFate): Promise<string> {
    proxy = await startTcpProxy(target, (connection) => (connection === 1 ? first : { kind: 'pass' }));
    return proxy.url;
  }

  async function storedFor(body: { subdomain: string; directorEmail: string }) {
    const state = await h.state();
    return {
      institutions: state.institutions.filter((i) => i.subdomain === body.subdomain),
      users: state.users.filter((u) => u.email === body.directorEmail),
    };
  }

  it('converges to one registration when the answer is lost after the server committed, with the stored ids', async () => {
    const body = registrationBody();
    const result = await registerInstitution(body, { baseUrl: await through({ kind: 'drop_response' }) });
    expect([result.attempts, result.replayed]).toEqual([2, true]);
    const stored = await storedFor(body);
    expect(stored.institutions.map((i) => i.id)).toEqual([result.registration.institution.id]);
    expect(stored.users.map((u) => u.id)).toEqual([result.registration.director.id]);
  });

  it('converges when the first connection is reset before the request is sent', async () => {
    const body = registrationBody();
    const result = await registerInstitution(body, { baseUrl: await through({ kind: 'reset' }) });
    expect([result.attempts, result.replayed]).toEqual([2, false]);
    expect((await storedFor(body)).institutions).toHaveLength(1);
  });

  it('converges when the first answer is slower than the per-try timeout', async () => {
    const body = registrationBody();
    const result = await registerInstitution(body, { baseUrl: await through({ kind: 'delay', ms: 1_500 }), timeoutMs: 500 });
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    const stored = await storedFor(body);
    expect(stored.institutions.map((i) => i.id)).toEqual([result.registration.institution.id]);
    expect(stored.users).toHaveLength(1);
  });

  it('makes one key per call, and resumes with a given one', async () => {
    const baseUrl = await through({ kind: 'pass' });
    const body = registrationBody();
    const first = await registerInstitution(body, { baseUrl });
    const again = await registerInstitution(body, { baseUrl, idempotencyKey: first.idempotencyKey });
    expect([again.replayed, again.registration]).toEqual([true, first.registration]);
    const other = await registerInstitution(registrationBody(), { baseUrl });
    expect(other.idempotencyKey).not.toBe(first.idempotencyKey);
  });

  it('never retries another 4xx: 400, 409 taken and 422 throw at once, saying nothing happened', async () => {
    const baseUrl = await through({ kind: 'pass' });
    const taken = registrationBody();
    const { idempotencyKey } = await registerInstitution(taken, { baseUrl });
    const attempts = async (payload: object, key?: string) => {
      const error = await registerInstitution(payload as never, { baseUrl, ...(key ? { idempotencyKey: key } : {}) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistrationError);
      return [(error as RegistrationError).code, (error as RegistrationError).attempts, (error as RegistrationError).mayHaveHappened];
    };
    expect(await attempts({ ...registrationBody(), subdomain: 'www' })).toEqual(['validation_failed', 1, false]);
    expect(await attempts(registrationBody({ subdomain: taken.subdomain }))).toEqual(['subdomain_taken', 1, false]);
    expect(await attempts(registrationBody(), idempotencyKey)).toEqual(['idempotency_key_reused', 1, false]);
  });

  it('keeps its deadline, and says the registration may have happened', async () => {
    proxy = await startTcpProxy(target, () => ({ kind: 'delay', ms: 5_000 }));
    const started = Date.now();
    const error = await registerInstitution(registrationBody(), { baseUrl: proxy.url, deadlineMs: 800, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ name: 'RegistrationError', code: 'deadline_exceeded', mayHaveHappened: true });
  });

  it('stops when its AbortSignal aborts', async () => {
    proxy = await startTcpProxy(target, () => ({ kind: 'delay', ms: 5_000 }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = await registerInstitution(registrationBody(), { baseUrl: proxy.url, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'aborted', mayHaveHappened: true });
  });
});

describe('the package export', () => {
  it('imports as ims-api/client after npm run build, with nothing but fetch (no node: modules)', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { readFile } = await import('node:fs/promises');
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--input-type=module',
      '-e',
      "import { registerInstitution, RegistrationError } from 'ims-api/client'; console.log(typeof registerInstitution, typeof RegistrationError);",
    ]);
    expect(stdout.trim()).toBe('function function');
    const built = await readFile(new URL('../../dist/client/ims-client.js', import.meta.url), 'utf8');
    expect(built).not.toMatch(/from ['"](node:|zod)/);
  });
});
