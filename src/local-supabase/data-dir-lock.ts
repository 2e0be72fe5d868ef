/**
 * One owner per PGlite data directory. PGlite is a single-process database: two processes on one
 * directory each believe they own it, break uniqueness and lose each other's commits. The owner
 * holds `<dataDir>.lock` (created exclusively; it names the pid, and the embedded Supabase's URL
 * once it listens). A lock whose pid is gone, or a zombie not yet reaped, is stale and taken over.
 */
import { link, mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

const Owner = z.object({ pid: z.number().int(), host: z.string(), supabaseUrl: z.string().optional() });
export type DataDirOwner = z.infer<typeof Owner>;

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';

  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by pid ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}; stop it or set LOCAL_SUPABASE_DATA_DIR`,
    );
  }
}

export interface DataDirLock {
  /** Records where this owner's embedded Supabase listens, for tasks that go through it. */
  advertise(supabaseUrl: string): Promise<void>;
  release(): Promise<void>;
}

const lockFileOf = (dataDir: string) => `${resolve(dataDir)}.lock`;

/**
 * Linux keeps a killed process in its table, state Z, until the parent reaps it: a restart within
 * milliseconds of a SIGKILL finds it there. Without /proc (not Linux), kill(pid, 0) alone decides.
 */
async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may itself hold any character.
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

async function isAlive(owner: DataDirOwner): Promise<boolean> {
  // A lock written on another host (a shared disk) cannot be checked from here: assume it is held.
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !(await isZombie(owner.pid));
}

async function readOwner(file: string): Promise<DataDirOwner | null> {
  try {
    return Owner.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Half-written by a process that died while writing it: nobody owns it.
    return { pid: -1, host: hostname() };
  }
}

/** The live owner of `dataDir`, or null when nobody holds it. */
export async function dataDirOwner(dataDir: string): Promise<DataDirOwner | null> {
  const owner = await readOwner(lockFileOf(dataDir));
  return owner && owner.pid !== process.pid && (await isAlive(owner)) ? owner : null;
}

/**
 * Moves a stale lock aside under a name of our own, then checks what was moved: when another
 * process took the stale lock over in between, it was that live lock, and it is put back.
 */
async function removeStale(file: string): Promise<void> {
  const aside = `${file}.stale-${process.pid}`;
  try {
    await rename(file, aside);
  } catch {
    return;
  }
  const moved = await readOwner(aside);
  if (moved && (await isAlive(moved))) await link(aside, file).catch(() => undefined);
  await unlink(aside);
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = lockFileOf(dataDir);
  const me: DataDirOwner = { pid: process.pid, host: hostname() };
  await mkdir(dirname(file), { recursive: true });
  for (;;) {
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(file);
    if (owner && (await isAlive(owner))) throw new DataDirInUseError(dataDir, owner);
    await removeStale(file);
  }
  return {
    async advertise(supabaseUrl) {
      await writeFile(`${file}.tmp-${process.pid}`, JSON.stringify({ ...me, supabaseUrl }));
      await rename(`${file}.tmp-${process.pid}`, file);
    },
    async release() {
      const owner = await readOwner(file);
      if (owner?.pid === process.pid) await unlink(file).catch(() => undefined);
    },
  };
}
