/**
 * The embedded local Supabase in its own worker thread, so that PGlite's WebAssembly, PostgREST's
 * and GoTrue's work never compete with the API's event loop. It lives and dies with the process
 * (a SIGKILL takes both, as the data directory's lock expects) and talks over loopback HTTP
 * exactly as a real Supabase would.
 */
import { Worker } from 'node:worker_threads';
import { StartupError } from '../startup.js';
import type { LocalSupabaseOptions } from './server.js';
import { CLOSE, type FromThread } from './thread-protocol.js';

export interface EmbeddedSupabase {
  url: string;
  engine: 'pglite' | 'postgres';
  appliedMigrations: string[];
  /** The local inbox (Mailpit's HTTP API), when the options gave `inboxPort`. */
  inboxUrl?: string;
  close(): Promise<void>;
}

/**
 * The thread's entry: the compiled module; from sources (vitest, `npm run dev` under tsx) the
 * TypeScript entry, loaded through tsx as the parent thread is.
 */
function threadEntry(): URL {
  if (import.meta.url.endsWith('.js')) return new URL('./thread-main.js', import.meta.url);
  const source = new URL('./thread-main.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(source)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** Starts the embedded Supabase in a worker thread; `onStopped` hears of it if the thread ever ends unasked. */
export function startLocalSupabaseThread(options: LocalSupabaseOptions, onStopped: (error: Error) => void): Promise<EmbeddedSupabase> {
  const worker = new Worker(threadEntry(), { workerData: options });
  let closing = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => {
      if (closing) return;
      closing = true;
      reject(error);
      onStopped(error);
    };
    worker.on('error', failed);
    worker.on('exit', (code) => failed(new Error(`the embedded local Supabase thread ended (exit code ${code})`)));
    worker.once('message', (message: FromThread) => {
      if (message.kind === 'failed') {
        closing = true;
        void worker.terminate();
        reject(new StartupError(message.message));
        return;
      }
      resolve({
        url: message.url,
        engine: message.engine,
        appliedMigrations: message.appliedMigrations,
        ...(message.inboxUrl ? { inboxUrl: message.inboxUrl } : {}),
        close: () => {
          closing = true;
          worker.postMessage(CLOSE);
          return exited;
        },
      });
    });
  });
}
