/** The typed client against the real service over HTTP: it retries with one key, and only what is safe to retry. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImsClient } from '../../src/client/ims-client.js';
import { registrationBody, startHarness, type Harness } from '../support/harness.js';

describe('ImsClient', () => {
  let h: Harness;
  let server: Server;
  let baseUrl: string;
  const noWait = async () => undefined;

  beforeAll(async () => {
    h = await startHarness('pglite');
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    server?.close();
    await h?.close();
  });

  it('after a lost response, retries with the same key and gets the first answer replayed', async () => {
    let dropped = 0;
    const losingFirstAnswer: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (dropped++ === 0) {
        await response.arrayBuffer();
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      }
      return response;
    };
    const client = new ImsClient({ baseUrl, fetch: losingFirstAnswer, sleep: noWait });
    const body = registrationBody();
    const result = await client.registerInstitution(body);
    expect(result).toMatchObject({ ok: true, replayed: true, attempts: 2 });
    const state = await h.state();
    expect(state.institutions.filter((i) => i.subdomain === body.subdomain)).toHaveLength(1);
  });

  it('waits out idempotency_key_in_use and then gets the answer', async () => {
    const pause = h.faults.pause('createUser');
    const body = registrationBody();
    const first = new ImsClient({ baseUrl }).registerInstitution(body, 'client-key-in-use');
    await pause.reached;
    const waits: number[] = [];
    const second = new ImsClient({
      baseUrl,
      sleep: async (ms) => {
        waits.push(ms);
        pause.release();
        await first;
      },
    }).registerInstitution(body, 'client-key-in-use');
    const [a, b] = await Promise.all([first, second]);
    expect(a).toMatchObject({ ok: true, replayed: false });
    expect(b).toMatchObject({ ok: true, replayed: true, attempts: 2 });
    expect(waits[0]).toBeGreaterThan(0);
  });

  it('does not retry a definitive answer', async () => {
    const taken = registrationBody();
    const client = new ImsClient({ baseUrl, sleep: noWait });
    await client.registerInstitution(taken);
    const conflict = await client.registerInstitution(registrationBody({ subdomain: taken.subdomain }));
    expect(conflict).toMatchObject({ ok: false, attempts: 1, problem: { status: 409, code: 'subdomain_taken' } });
    const invalid = await client.registerInstitution({ ...registrationBody(), subdomain: 'www' });
    expect(invalid).toMatchObject({ ok: false, attempts: 1, problem: { status: 400, code: 'validation_failed' } });
  });
});
