/** The service and its commands as real child processes, started from the build made by test/global-setup.ts. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { inject } from 'vitest';

/** A compiled file of this run's test build, e.g. `src/server.js`. */
export const built = (path: string) => join(inject('buildDir'), path);

export function spawnBuilt(path: string, env: Record<string, string>, args: string[] = []): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [built(path), ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Reads the child's stdout as JSON lines until one carries a `url` (the service's "listening" log, or the crash server's line). */
export async function listeningUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  for await (const line of createInterface({ input: child.stdout })) {
    try {
      const { url } = JSON.parse(line) as { url?: string };
      if (url) return url;
    } catch {
      // Not a JSON line: keep reading.
    }
  }
  throw new Error('the process exited before listening');
}

/** Waits for the child to end; returns its exit code and everything it wrote to stderr. */
export async function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}
