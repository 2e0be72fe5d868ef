/** The project's GoTrue settings, read from supabase/config.toml as the Supabase CLI hands them to GoTrue. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { StartupError } from '../../startup.js';

export const CONFIG_TOML = fileURLToPath(new URL('../../../supabase/config.toml', import.meta.url));

export interface AuthSettings {
  /** GOTRUE_DISABLE_SIGNUP, which the CLI sets to `!auth.enable_signup`. */
  disableSignup: boolean;
  /** GOTRUE_EXTERNAL_EMAIL_ENABLED, which the CLI sets to `auth.email.enable_signup`: it gates email sign-in too. */
  emailEnabled: boolean;
}

/** The CLI fills a key the file leaves out from its config.toml template, which agrees with GoTrue's own defaults. */
export const DEFAULT_AUTH_SETTINGS: AuthSettings = { disableSignup: false, emailEnabled: true };

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table => typeof value === 'object' && value !== null && !Array.isArray(value);

function flag(path: string, section: string, table: unknown, name: string, fallback: boolean): boolean {
  const value = isTable(table) ? table[name] : undefined;
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new StartupError(`${path}: [${section}] ${name} must be true or false`);
  return value;
}

/** A missing file is a project with the CLI's defaults, as the CLI's config loader treats it. */
export async function readAuthSettings(path = CONFIG_TOML): Promise<AuthSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_AUTH_SETTINGS;
    throw error;
  }
  let config: Table;
  try {
    config = parse(text);
  } catch (error) {
    throw new StartupError(`${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  const auth = isTable(config.auth) ? config.auth : {};
  return {
    disableSignup: !flag(path, 'auth', auth, 'enable_signup', !DEFAULT_AUTH_SETTINGS.disableSignup),
    emailEnabled: flag(path, 'auth.email', auth.email, 'enable_signup', DEFAULT_AUTH_SETTINGS.emailEnabled),
  };
}
