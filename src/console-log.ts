/**
 * Console output of the libraries the service runs, as pino records: stdout stays one JSON record
 * per line. auth-js console.error()s every failed fetch (lib/fetch.js _handleRequest), stack and
 * cause included, before it returns the error that the service classifies and logs itself.
 */
import { format } from 'node:util';
import type { Logger } from 'pino';

/** A library's complaint is at most a warning: the service logs each call's outcome at the level it deserves. */
const LEVELS = { error: 'warn', warn: 'warn', info: 'info', log: 'info', debug: 'debug', trace: 'debug' } as const;

/** An error as one line, with its code and its causes, never its stack. */
function oneLine(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  const line = `${value.name}: ${value.message}${code === undefined ? '' : ` (${String(code)})`}`;
  return value.cause === undefined ? line : `${line}; cause: ${String(oneLine(value.cause))}`;
}

export function routeConsoleTo(logger: Logger): void {
  const records = logger.child({ source: 'console' });
  for (const [method, level] of Object.entries(LEVELS)) {
    console[method as keyof typeof LEVELS] = (...args: unknown[]) => records[level](format(...args.map(oneLine)));
  }
}
