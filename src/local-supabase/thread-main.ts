/** The embedded local Supabase's worker thread: starts it with the options it was given, closes it when asked. */
import { parentPort, workerData } from 'node:worker_threads';
import { startLocalSupabase, type LocalSupabaseOptions } from './server.js';
import { CLOSE, type FromThread } from './thread-protocol.js';

const port = parentPort!;
const tell = (message: FromThread) => port.postMessage(message);

try {
  const local = await startLocalSupabase(workerData as LocalSupabaseOptions);
  port.on('message', (message) => {
    if (message === CLOSE) void local.close().finally(() => port.close());
  });
  tell({
    kind: 'ready',
    url: local.url,
    engine: local.db.engine,
    appliedMigrations: local.appliedMigrations,
    ...(local.inboxUrl ? { inboxUrl: local.inboxUrl } : {}),
  });
} catch (error) {
  tell({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  port.close();
}
