/**
 * Runs one maintenance task against the configured Supabase and prints its result as JSON. With
 * the embedded Supabase on PGlite it goes through the running service's embedded Supabase when
 * one owns the data directory, and opens the directory itself otherwise.
 */
import { loadConfigOrExit, type Config } from '../config.js';
import { routeConsoleTo } from '../console-log.js';
import { createLogger } from '../logger.js';
import type { RegistrationDeps } from '../registration/register-institution.js';
import { connectSupabase, registrationDeps } from '../service.js';
import { startOrExit } from '../startup.js';

export async function runTask(name: string, task: (deps: RegistrationDeps, config: Config) => Promise<unknown>): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  routeConsoleTo(logger);
  const connection = await startOrExit(name, () => connectSupabase(config, logger, { attachToRunning: true }));
  try {
    const result = await task(registrationDeps(config, connection, logger), config);
    process.stdout.write(`${JSON.stringify({ task: name, result })}\n`);
  } finally {
    await connection.local?.close();
  }
}
