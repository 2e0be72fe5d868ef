/** The fingerprint secret for the embedded setup: made once and kept beside the PGlite data, or per process in memory. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function localIdempotencySecret(dataDir: string): Promise<string> {
  if (dataDir.startsWith('memory://')) return randomBytes(48).toString('base64url');
  const file = join(dirname(dataDir), 'idempotency-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(48).toString('base64url');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
    return (await readFile(file, 'utf8')).trim();
  }
}
