/** The project's GoTrue settings, read from supabase/config.toml as the Supabase CLI hands them to GoTrue. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { StartupError } from '../../startup.js';
import { parseGoDuration } from './go-duration.js';

export const CONFIG_TOML = fileURLToPath(new URL('../../../supabase/config.toml', import.meta.url));

export interface AuthSettings {
  /** GOTRUE_DISABLE_SIGNUP, which the CLI sets to `!auth.enable_signup`. */
  disableSignup: boolean;
  /** GOTRUE_EXTERNAL_EMAIL_ENABLED, which the CLI sets to `auth.email.enable_signup`: it gates email sign-in too. */
  emailEnabled: boolean;
  /** GOTRUE_SITE_URL = `auth.site_url`: where links lead when no allowed redirect_to is given. */
  siteUrl: string;
  /** GOTRUE_URI_ALLOW_LIST = `auth.additional_redirect_urls`: glob patterns a redirect_to may match. */
  uriAllowList: string[];
  /** GOTRUE_MAILER_AUTOCONFIRM = `!auth.email.enable_confirmations`. */
  mailerAutoconfirm: boolean;
  /** GOTRUE_MAILER_OTP_EXP = `auth.email.otp_expiry`: how long an email link or code is valid. */
  otpExpirySeconds: number;
  /** GOTRUE_MAILER_OTP_LENGTH = `auth.email.otp_length`. */
  otpLength: number;
  /** GOTRUE_SMTP_MAX_FREQUENCY = `auth.email.max_frequency`: the least time between two mails to one user. */
  maxFrequencyMs: number;
}

/** The CLI fills a key the file leaves out from its config.toml template (apps/cli-go/pkg/config/templates/config.toml). */
export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  disableSignup: false,
  emailEnabled: true,
  siteUrl: 'http://127.0.0.1:3000',
  uriAllowList: ['https://127.0.0.1:3000'],
  mailerAutoconfirm: true,
  otpExpirySeconds: 3600,
  otpLength: 6,
  maxFrequencyMs: 1000,
};

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table => typeof value === 'object' && value !== null && !Array.isArray(value);

function flag(path: string, section: string, table: unknown, name: string, fallback: boolean): boolean {
  const value = isTable(table) ? table[name] : undefined;
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new StartupError(`${path}: [${section}] ${name} must be true or false`);
  return value;
}

function textSetting(path: string, section: string, table: unknown, name: string, fallback: string): string {
  const value = isTable(table) ? table[name] : undefined;
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new StartupError(`${path}: [${section}] ${name} must be a string`);
  return value;
}

function texts(path: string, section: string, table: unknown, name: string, fallback: string[]): string[] {
  const value = isTable(table) ? table[name] : undefined;
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new StartupError(`${path}: [${section}] ${name} must be a list of strings`);
  }
  return value as string[];
}

function count(path: string, section: string, table: unknown, name: string, fallback: number): number {
  const value = isTable(table) ? table[name] : undefined;
  if (value === undefined) return fallback;
  const number = typeof value === 'bigint' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) {
    throw new StartupError(`${path}: [${section}] ${name} must be a whole number`);
  }
  return number;
}

function duration(path: string, section: string, table: unknown, name: string, fallbackMs: number): number {
  const value = textSetting(path, section, table, name, '');
  if (value === '') return fallbackMs;
  try {
    return parseGoDuration(value);
  } catch (error) {
    throw new StartupError(`${path}: [${section}] ${name}: ${(error as Error).message}`);
  }
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
    siteUrl: textSetting(path, 'auth', auth, 'site_url', DEFAULT_AUTH_SETTINGS.siteUrl),
    uriAllowList: texts(path, 'auth', auth, 'additional_redirect_urls', DEFAULT_AUTH_SETTINGS.uriAllowList),
    mailerAutoconfirm: !flag(path, 'auth.email', auth.email, 'enable_confirmations', !DEFAULT_AUTH_SETTINGS.mailerAutoconfirm),
    otpExpirySeconds: count(path, 'auth.email', auth.email, 'otp_expiry', DEFAULT_AUTH_SETTINGS.otpExpirySeconds),
    otpLength: count(path, 'auth.email', auth.email, 'otp_length', DEFAULT_AUTH_SETTINGS.otpLength),
    maxFrequencyMs: duration(path, 'auth.email', auth.email, 'max_frequency', DEFAULT_AUTH_SETTINGS.maxFrequencyMs),
  };
}
