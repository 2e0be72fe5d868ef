/** Starts a built entry point of this repository as a child process and waits until it says where it listens. */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Started {
  child: ChildProcess;
  /** From its JSON "listening" log line (`url`), or the embedded Supabase's "API URL: …". */
  url: string;
}

/** `logFile`: everything it prints is appended there when it exits; without one, its output is read and dropped. */
export function startNode(args: string[], env: Record<string, string>, logFile?: string): Promise<Started> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  if (logFile) child.once('exit', () => appendFileSync(logFile, lines.join('')));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (logFile) lines.push(`${line}\n`);
      const json = line.startsWith('{') ? (JSON.parse(line) as { url?: string }) : {};
      const url = json.url ?? /^API URL: (.*)$/.exec(line)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before listening: ${lines.join('').slice(-400)}`)));
  });
}
