/**
 * Process death between steps: a child-process server SIGKILLs itself at each remote call, before
 * sending it or after the server committed it. A new process on the same database then gets a
 * retry with the same key — or the recovery sweep runs first — and exactly one registration results.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { LocalSupabase } from '../../src/local-supabase/server.js';
import { recoverAbandoned } from '../../src/registration/recover-abandoned.js';
import { connectSupabase, registrationDeps } from '../../src/service.js';
import { assertConsistent, databaseState, registrationBody, supabaseEnv } from '../support/harness.js';
import { LANES, startLaneSupabase } from '../support/lanes.js';
import { listeningUrl, spawnBuilt } from '../support/processes.js';

function env(local: LocalSupabase, crash: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...supabaseEnv(local),
    IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '3',
    SUPABASE_TIMEOUT_MS: '1000',
    REQUEST_DEADLINE_MS: '1900',
    REGISTER_RATE_LIMIT_PER_MINUTE: '0',
    RECOVERY_INTERVAL_SECONDS: '0',
    ...crash,
  };
}

async function spawnServer(environment: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawnBuilt('test/support/crash-server.js', environment);
  child.stderr.pipe(process.stderr);
  return { url: await listeningUrl(child), child };
}

function post(url: string, body: object, key: string) {
  return fetch(`${url}/api/v1/institutions/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify(body),
  });
}

const state = (local: LocalSupabase) => databaseState(local.db);

const CASES = (['claim', 'createUser', 'complete'] as const).flatMap((call) =>
  (['before_send', 'after_commit'] as const).flatMap((when) =>
    (['retry', 'sweep then retry'] as const).map((then) => ({ call, when, then })),
  ),
);

describe.each(LANES)('process death on %s', (lane) => {
  let local: LocalSupabase;
  beforeAll(async () => {
    local = await startLaneSupabase(lane);
  });
  afterAll(async () => {
    await local?.close();
  });

  it.each(CASES)('killed at $call ($when), then $then → one registration', async ({ call, when, then }) => {
    const body = registrationBody();
    const key = randomUUID();
    const doomed = await spawnServer(env(local, { CRASH_AT: call, CRASH_WHEN: when }));
    const exited = new Promise((resolve) => doomed.child.once('exit', (_code, signal) => resolve(signal)));
    await expect(post(doomed.url, body, key)).rejects.toThrow();
    expect(await exited).toBe('SIGKILL');
    assertConsistent(await state(local));

    // The dead process's lock runs out: moved into the past instead of waited for (3 s a case).
    await local.db.query("update public.idempotency_keys set locked_until = now() - interval '1 second' where key = $1 and locked_until is not null", [key]);
    if (then === 'sweep then retry') {
      const config = loadConfig(env(local));
      const logger = pino({ level: 'silent' });
      await recoverAbandoned(registrationDeps(config, await connectSupabase(config, logger), logger), { idleSeconds: 0, limit: 10 });
      const swept = await state(local);
      assertConsistent(swept);
      expect(swept.keys.filter((k) => k.key === key && k.recovery_point === 'institution_created')).toEqual([]);
    }

    const survivor = await spawnServer(env(local));
    try {
      const retry = await post(survivor.url, body, key);
      expect(retry.status).toBe(201);
      const after = await state(local);
      assertConsistent(after);
      const institution = after.institutions.filter((i) => i.subdomain === body.subdomain);
      expect(institution.map((i) => i.status)).toEqual(['trial']);
      expect(after.users.filter((u) => u.email === body.directorEmail)).toHaveLength(1);
      expect(after.profiles.filter((p) => p.institution_id === institution[0]!.id)).toHaveLength(1);
    } finally {
      survivor.child.kill('SIGKILL');
    }
  });
});
