/** The whole service started as `npm start` starts it, on each backend it supports. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startLocalSupabase } from '../../src/local-supabase/server.js';
import { connectSupabase, startService } from '../../src/service.js';
import { FaultyFetch } from '../support/fault-fetch.js';
import { registrationBody, supabaseEnv } from '../support/harness.js';
import { createPostgresDatabase } from '../support/lanes.js';
import { exitOf, listeningUrl, spawnBuilt } from '../support/processes.js';

const silent = pino({ level: 'silent' });

async function health(url: string) {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: await response.json() };
}

describe('service start-up', () => {
  it('boots the embedded Supabase on PGlite when no SUPABASE_URL is set', async () => {
    const service = await startService(loadConfig({ PORT: '0', HOST: '127.0.0.1', LOCAL_SUPABASE_DATA_DIR: 'memory://', LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0' }), silent);
    try {
      expect(await health(service.url)).toEqual({ status: 200, body: { status: 'ok', backend: 'embedded-pglite' } });
    } finally {
      await service.close();
    }
  });

  it('runs the embedded Supabase in its own thread: it answers while the API thread is busy', async () => {
    const connection = await connectSupabase(loadConfig({ LOCAL_SUPABASE_DATA_DIR: 'memory://', LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0' }), silent);
    // Another process asks the embedded Supabase when told to, and prints when the answer came.
    const asker = spawn(
      process.execPath,
      ['-e', `process.stdin.once('data', async () => { const r = await fetch(process.argv[1]); console.log(r.status, Date.now()); }); console.log('ready');`, `${connection.local!.url}/rest/v1/`],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      const lines = createInterface({ input: asker.stdout! })[Symbol.asyncIterator]();
      expect((await lines.next()).value).toBe('ready');
      asker.stdin!.write('go\n');
      const busyUntil = Date.now() + 3_000;
      while (Date.now() < busyUntil);
      const [status, answeredAt] = String((await lines.next()).value).split(' ');
      expect(status).toBe('401');
      expect(Number(answeredAt)).toBeLessThan(busyUntil);
    } finally {
      asker.kill();
      await connection.local!.close();
    }
  });

  it('talks, unchanged, to a separately started Supabase given as SUPABASE_URL', async () => {
    const local = await startLocalSupabase();
    const service = await startService(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', ...supabaseEnv(local) }),
      silent,
    );
    try {
      expect(await health(service.url)).toEqual({ status: 200, body: { status: 'ok', backend: 'supabase' } });
    } finally {
      await service.close();
      await local.close();
    }
  });

  it('a graceful shutdown lets a registration whose client has gone finish before it returns', async () => {
    const local = await startLocalSupabase();
    const faults = new FaultyFetch();
    const service = await startService(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', REGISTER_RATE_LIMIT_PER_MINUTE: '0', ...supabaseEnv(local) }),
      silent,
      { fetch: faults.fetch },
    );
    try {
      const stalled = faults.pause('createUser');
      const gaveUp = new AbortController();
      const key = randomUUID();
      const request = fetch(`${service.url}/api/v1/institutions/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify(registrationBody()),
        signal: gaveUp.signal,
      }).catch(() => 'gave up');
      await stalled.reached;
      gaveUp.abort();
      expect(await request).toBe('gave up');

      let closed = false;
      const closing = service.close().then(() => (closed = true));
      await sleep(300);
      expect(closed).toBe(false);
      stalled.release();
      await closing;
      const rows = await local.db.query<{ recovery_point: string; status: string }>(
        `select k.recovery_point, i.status from public.idempotency_keys k join public.institutions i on i.id = k.institution_id where k.key = $1`,
        [key],
      );
      expect(rows).toEqual([{ recovery_point: 'finished', status: 'trial' }]);
    } finally {
      await service.close().catch(() => undefined);
      await local.close();
    }
  });

  it.runIf(process.env.TEST_DATABASE_URL)('runs the embedded Supabase on PostgreSQL with LOCAL_SUPABASE_DB_URL', async () => {
    const database = await createPostgresDatabase();
    const service = await startService(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', LOCAL_SUPABASE_DB_URL: database.url, LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0' }),
      silent,
    );
    try {
      expect(await health(service.url)).toEqual({ status: 200, body: { status: 'ok', backend: 'embedded-postgres' } });
    } finally {
      await service.close();
      await database.drop();
    }
  });
});

describe('the entry point, as `npm start` runs it', () => {
  const run = (env: Record<string, string>) =>
    spawnBuilt('src/server.js', { LOG_LEVEL: 'info', LOCAL_SUPABASE_DATA_DIR: 'memory://', LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0', HOST: '127.0.0.1', ...env });

  it('stops at start with a message naming every bad setting at once', async () => {
    const { code, stderr } = await exitOf(run({ PORT: 'eighty', SUPABASE_URL: 'http://127.0.0.1:1', LOCAL_SUPABASE_DB_URL: 'mysql://root@127.0.0.1/ims' }));
    expect(code).toBe(1);
    expect(stderr).toMatch(/Invalid configuration:\n {2}PORT: /);
    expect(stderr).toMatch(/ {2}LOCAL_SUPABASE_DB_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(stderr).toMatch(/ {2}SUPABASE_SERVICE_ROLE_KEY: is required/);
    expect(stderr).toMatch(/ {2}SUPABASE_ANON_KEY: is required/);
    expect(stderr).toMatch(/ {2}SUPABASE_JWT_SECRET: is required/);
    expect(stderr).toMatch(/ {2}IDEMPOTENCY_SECRET: is required/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('serves, then shuts down cleanly on SIGTERM', async () => {
    const child = run({ PORT: '0' });
    const url = await listeningUrl(child);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
