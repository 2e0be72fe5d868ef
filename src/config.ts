/** Settings from the environment (and .env), validated once at start; a bad one stops start-up naming the variable. */
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
  })
  .superRefine((env, ctx) => {
    if (env.SUPABASE_URL && !env.SUPABASE_SERVICE_ROLE_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPABASE_SERVICE_ROLE_KEY'],
        message: 'is required when SUPABASE_URL is set (the service_role or sb_secret_ key from `supabase status`)',
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
