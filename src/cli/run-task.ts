/** Runs one maintenance task against the configured Supabase (or the embedded one) and prints its result as JSON. */
import dotenv from 'dotenv';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import type { RegistrationDeps } from '../registration/register-institution.js';
import { connectSupabase, registrationDeps } from '../service.js';

export async function runTask(name: string, task: (deps: RegistrationDeps, config: Config) => Promise<unknown>): Promise<void> {
  dotenv.config({ quiet: true });
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const connection = await connectSupabase(config, logger);
  try {
    const result = await task(registrationDeps(config, connection, logger), config);
    process.stdout.write(`${JSON.stringify({ task: name, result })}\n`);
  } finally {
    await connection.local?.close();
  }
}
