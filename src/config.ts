/** Settings from the environment (and .env), validated once at start; a bad one stops start-up naming the variable. */
import dotenv from 'dotenv';
import { z } from 'zod';

const boolean = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Default: 0.0.0.0 with SUPABASE_URL; loopback with the embedded Supabase (its JWT secret is public). */
  HOST: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SUPABASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20).optional(),
  SUPABASE_ANON_KEY: z.string().min(20).optional(),
  SUPABASE_JWT_VERIFY: z.enum(['secret', 'jwks']).default('secret'),
  SUPABASE_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The `iss` Supabase Auth writes: SUPABASE_URL/auth/v1 unless the API is reached at another address than its external URL. */
  SUPABASE_JWT_ISSUER: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  LOCAL_SUPABASE_DB_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  LOCAL_SUPABASE_DATA_DIR: z.string().min(1).default('.data/pglite'),
  LOCAL_SUPABASE_PORT: z.coerce.number().int().min(0).max(65535).default(54321),
  LOCAL_SUPABASE_INBOX_PORT: z.coerce.number().int().min(0).max(65535).default(54324),
  TRUST_PROXY: boolean.default(false),
  SUPABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  IDEMPOTENCY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DIRECTOR_EMAIL_CONFIRMATION: z.enum(['required', 'auto']).default('auto'),
  CONFIRMATION_REDIRECT_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
  REGISTER_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  RATE_LIMIT_STORE: z.enum(['database', 'memory']).default('database'),
  RECOVERY_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  PURGE_INTERVAL_MINUTES: z.coerce.number().int().min(0).default(60),
});

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/;

/** Rules between settings, checked on the raw values so that they are reported with every other problem. */
function crossSettingIssues(env: Record<string, string>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (!env.SUPABASE_URL && env.HOST && !LOOPBACK_HOSTS.test(env.HOST)) {
    issues.push({
      path: 'HOST',
      message:
        "must be a loopback address (127.0.0.1, localhost, ::1) with the embedded Supabase: it signs tokens with the Supabase CLI's public JWT secret, so anyone who can reach the port could forge a director's token; set SUPABASE_URL to serve other hosts",
    });
  }
  if (env.SUPABASE_URL && !env.SUPABASE_SERVICE_ROLE_KEY) {
    issues.push({
      path: 'SUPABASE_SERVICE_ROLE_KEY',
      message: 'is required when SUPABASE_URL is set (the service_role or sb_secret_ key from `supabase status`)',
    });
  }
  if (env.SUPABASE_URL && !env.SUPABASE_ANON_KEY) {
    issues.push({
      path: 'SUPABASE_ANON_KEY',
      message: 'is required when SUPABASE_URL is set (the anon or sb_publishable_ key: reads on behalf of a signed-in user go through it)',
    });
  }
  if (env.SUPABASE_URL && (env.SUPABASE_JWT_VERIFY ?? 'secret') === 'secret' && !env.SUPABASE_JWT_SECRET) {
    issues.push({
      path: 'SUPABASE_JWT_SECRET',
      message: 'is required when SUPABASE_URL is set and SUPABASE_JWT_VERIFY=secret (the JWT secret from `supabase status`); a project with asymmetric signing keys sets SUPABASE_JWT_VERIFY=jwks instead',
    });
  }
  if (env.SUPABASE_URL && !env.IDEMPOTENCY_SECRET) {
    issues.push({
      path: 'IDEMPOTENCY_SECRET',
      message: 'is required when SUPABASE_URL is set (e.g. `openssl rand -base64 48`); only the embedded Supabase keeps one in its database',
    });
  }
  return issues;
}

export type Config = Omit<z.infer<typeof ConfigSchema>, 'HOST'> & { HOST: string };

const withHost = (config: z.infer<typeof ConfigSchema>): Config => ({
  ...config,
  HOST: config.HOST ?? (config.SUPABASE_URL ? '0.0.0.0' : '127.0.0.1'),
});

/**
 * One attempt must end while it still holds the key's lock, or another attempt takes the
 * registration over while this one still acts: its worst case is the whole budget, plus one
 * call after it (letting go of the lock).
 */
function timingIssues(config: Config): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (config.SUPABASE_TIMEOUT_MS > config.REQUEST_DEADLINE_MS) {
    issues.push({ path: 'REQUEST_DEADLINE_MS', message: `must be at least SUPABASE_TIMEOUT_MS (${config.SUPABASE_TIMEOUT_MS}), or no call gets its full timeout` });
  }
  const worstCaseMs = config.REQUEST_DEADLINE_MS + config.SUPABASE_TIMEOUT_MS;
  const lockMs = config.IDEMPOTENCY_LOCK_TIMEOUT_SECONDS * 1000;
  if (worstCaseMs >= lockMs) {
    issues.push({
      path: 'IDEMPOTENCY_LOCK_TIMEOUT_SECONDS',
      message: `must exceed one attempt's worst case, REQUEST_DEADLINE_MS + SUPABASE_TIMEOUT_MS = ${worstCaseMs} ms (it is ${lockMs} ms), or a slow attempt is taken over while it still acts`,
    });
  }
  return issues;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const withoutBlanks = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));

/** Every invalid or missing setting at once, one line each. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = withoutBlanks(env);
  const parsed = ConfigSchema.safeParse(raw);
  const issues = [
    ...(parsed.success ? timingIssues(withHost(parsed.data)) : parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))),
    ...crossSettingIssues(raw),
  ];
  if (parsed.success && issues.length === 0) return withHost(parsed.data);
  const lines = issues.map((issue) => `  ${issue.path || '(environment)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** For entry points: reads .env, then the environment; a bad setting ends the process with the message. */
export function loadConfigOrExit(): Config {
  dotenv.config({ quiet: true });
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
    process.exit(1);
  }
}
