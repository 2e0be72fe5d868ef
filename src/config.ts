/** Settings from the environment (and .env), validated once at start; a bad one stops start-up naming the variable. */
import dotenv from 'dotenv';
import { z } from 'zod';

const boolean = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const ConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SUPABASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    SUPABASE_SERVICE_ROLE_KEY: z.string().min(20).optional(),
    LOCAL_SUPABASE_DB_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    LOCAL_SUPABASE_DATA_DIR: z.string().min(1).default('.data/pglite'),
    LOCAL_SUPABASE_PORT: z.coerce.number().int().min(0).max(65535).default(54321),
    TRUST_PROXY: boolean.default(false),
    SUPABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    IDEMPOTENCY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
    REGISTER_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(30),
    RATE_LIMIT_STORE: z.enum(['database', 'memory']).default('database'),
    RECOVERY_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
    PURGE_INTERVAL_MINUTES: z.coerce.number().int().min(0).default(60),
  })
  .superRefine((env, ctx) => {
    if (env.SUPABASE_URL && !env.SUPABASE_SERVICE_ROLE_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPABASE_SERVICE_ROLE_KEY'],
        message: 'is required when SUPABASE_URL is set (the service_role or sb_secret_ key from `supabase status`)',
      });
    }
    if (env.SUPABASE_URL && !env.IDEMPOTENCY_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['IDEMPOTENCY_SECRET'],
        message: 'is required when SUPABASE_URL is set (e.g. `openssl rand -base64 48`); only the embedded Supabase makes one itself',
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const blankToUndefined = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(blankToUndefined(env));
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
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
