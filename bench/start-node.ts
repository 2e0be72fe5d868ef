/** Starts a built entry point of this repository as a child process and waits until it says where it listens. */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const PROBE = new URL('event-loop-probe.mjs', import.meta.url).pathname;

/** A process's main-thread event-loop delay in milliseconds, as event-loop-probe.mjs reports it. */
export interface EventLoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface StartOptions {
  /** Everything it prints is appended there when it exits; without one, its output is read and dropped. */
  logFile?: string;
  /** Preload bench/event-loop-probe.mjs so that `eventLoopDelay()` can read its event-loop delay. */
  eventLoopProbe?: boolean;
}

export interface Started {
  child: ChildProcess;
  /** SIGTERM, and SIGKILL if it has not exited within 10 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** Its main thread's event-loop delay since the last reading (started with `eventLoopProbe`). */
  eventLoopDelay(): Promise<EventLoopDelay>;
  /** From its JSON "listening" log line (`url`), or the embedded Supabase's "API URL: …". */
  url: string;
}

/** Sends `signal` and resolves once the child has exited (at once if it already has). */
export async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

export function startNode(args: string[], env: Record<string, string>, { logFile, eventLoopProbe = false }: StartOptions = {}): Promise<Started> {
  const child = spawn(process.execPath, eventLoopProbe ? ['--import', PROBE, ...args] : args, {
    env: { ...process.env, ...env },
    stdio: eventLoopProbe ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const eventLoopDelay = () =>
    new Promise<EventLoopDelay>((resolve, reject) => {
      if (!eventLoopProbe) return reject(new Error('started without the event-loop probe'));
      child.once('message', (delay) => resolve(delay as EventLoopDelay));
      child.send('read');
    });
  const stop = async () => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await signalAndWait(child, 'SIGTERM');
    clearTimeout(killer);
  };
  const lines: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  if (logFile) child.once('exit', () => appendFileSync(logFile, lines.join('')));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (logFile) lines.push(`${line}\n`);
      const json = line.startsWith('{') ? (JSON.parse(line) as { url?: string }) : {};
      const url = json.url ?? /^API URL: (.*)$/.exec(line)?.[1];
      if (url) resolve({ child, url, stop, eventLoopDelay });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before listening: ${lines.join('').slice(-400)}`)));
  });
}
