/** Structured logs (pino) with secrets redacted wherever they could appear. */
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.apikey',
  'req.headers.cookie',
  '*.password',
  '*.directorPassword',
  '*.serviceRoleKey',
  '*.SUPABASE_SERVICE_ROLE_KEY',
  '*.IDEMPOTENCY_SECRET',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
