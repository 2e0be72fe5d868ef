/**
 * One embedded PGlite directory, one owning process: a second service on it is refused with a
 * clear line; `recover` and `purge` go through the owner's embedded Supabase; the lock of a
 * SIGKILLed owner does not block a restart, and what the owner acknowledged is still there.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationBody } from '../support/harness.js';
import { exitOf, listeningUrl, spawnBuilt } from '../support/processes.js';

describe('the embedded PGlite directory has one owner', () => {
  let workDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'ims-pglite-'));
    env = { LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0', LOCAL_SUPABASE_DATA_DIR: join(workDir, 'not-yet-made', 'pglite'), REGISTER_RATE_LIMIT_PER_MINUTE: '0' };
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  const register = (url: string, body: object, key: string) =>
    fetch(`${url}/api/v1/institutions/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(body),
    });

  it('refuses a second owner, serves tasks through the first, and survives the first one’s SIGKILL', async () => {
    const owner = spawnBuilt('src/server.js', env);
    const url = await listeningUrl(owner);
    const body = registrationBody();
    const key = randomUUID();
    expect((await register(url, body, key)).status).toBe(201);

    const second = await exitOf(spawnBuilt('src/server.js', env));
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      `ims-api: could not start: the embedded database in ${env.LOCAL_SUPABASE_DATA_DIR} is in use by pid ${owner.pid}; stop it or set LOCAL_SUPABASE_DATA_DIR`,
    );
    const standAlone = await exitOf(spawnBuilt('src/local-supabase/main.js', { ...env, LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0' }));
    expect([standAlone.code, standAlone.stderr]).toEqual([1, expect.stringContaining(`is in use by pid ${owner.pid}`)]);

    for (const task of ['recover', 'purge'] as const) {
      const child = spawnBuilt(`src/cli/${task}.js`, { ...env, LOG_LEVEL: 'silent' });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const { code, stderr } = await exitOf(child);
      expect([task, code, stderr]).toEqual([task, 0, '']);
      expect(JSON.parse(stdout)).toMatchObject({ task });
    }
    expect((await register(url, body, key)).headers.get('idempotent-replayed')).toBe('true');

    owner.kill('SIGKILL');
    await once(owner, 'exit');
    const restarted = spawnBuilt('src/server.js', env);
    try {
      const again = await register(await listeningUrl(restarted), body, key);
      expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    } finally {
      restarted.kill('SIGTERM');
      await once(restarted, 'exit');
    }
  }, 90_000); // three PGlite start-ups (initdb and migrations each) in child processes
});
