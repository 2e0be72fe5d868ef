/** The PGlite data directory's lock, with real processes as its owners. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../src/local-supabase/data-dir-lock.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function dataDir(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'ims-lock-'));
  cleanups.push(() => rm(parent, { recursive: true, force: true }));
  return join(parent, 'pglite');
}

async function processState(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0];
}

describe('the data directory lock', () => {
  it.runIf(process.platform === 'linux')('is held while its owner lives, and stale once its owner is killed though not yet reaped (a zombie)', async () => {
    // A shell starts the owner, then becomes a `sleep` that never waits for it: once killed, the owner stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 100 & echo $!; exec sleep 1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => {
      parent.kill('SIGKILL');
      await once(parent, 'exit').catch(() => undefined);
    });
    const [line] = (await once(createInterface({ input: parent.stdout }), 'line')) as [string];
    const owner = Number(line);
    const dir = await dataDir();
    await writeFile(`${dir}.lock`, JSON.stringify({ pid: owner, host: hostname() }));
    await expect(lockDataDir(dir)).rejects.toThrow(DataDirInUseError);

    process.kill(owner, 'SIGKILL');
    while ((await processState(owner)) !== 'Z') await sleep(5);

    const lock = await lockDataDir(dir);
    expect(JSON.parse(await readFile(`${dir}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });
});
