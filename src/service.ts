/** Wires the service: config → (embedded Supabase when no SUPABASE_URL) → Supabase client → app → listening server. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { startLocalSupabase, type LocalSupabase } from './local-supabase/server.js';

export interface RunningService {
  url: string;
  backend: string;
  close(): Promise<void>;
}

export async function startService(
  config: Config,
  logger: Logger,
): Promise<RunningService> {
  let local: LocalSupabase | undefined;
  let supabaseUrl = config.SUPABASE_URL;
  let backend = 'supabase';
  if (!supabaseUrl) {
    local = await startLocalSupabase({ dbUrl: config.LOCAL_SUPABASE_DB_URL, dataDir: config.LOCAL_SUPABASE_DATA_DIR });
    supabaseUrl = local.url;
    backend = `embedded-${local.db.engine}`;
    logger.info(
      { supabaseUrl, engine: local.db.engine, appliedMigrations: local.appliedMigrations },
      'embedded local Supabase started',
    );
  }
  const app = createApp({ logger, backend, trustProxy: config.TRUST_PROXY });
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(config.PORT, config.HOST, () => resolve(listening));
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  return {
    url: `http://${host}:${port}`,
    backend,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await local?.close();
    },
  };
}
