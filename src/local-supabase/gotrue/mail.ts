/**
 * GoTrue's mail-sending steps (internal/api/mail.go): sendConfirmation makes a fresh OTP, stores
 * its hash (crypto.GenerateTokenHash: hex SHA-224 of email + OTP) as the user's
 * confirmation_token and as a one-time token, stamps confirmation_sent_at, and mails the link;
 * not twice within SMTP.MaxFrequency.
 */
import { createHash, randomInt } from 'node:crypto';
import type { SqlExecutor } from '../database.js';
import type { Mailbox } from '../inbox/mailbox.js';
import { GotrueError } from './errors.js';
import { sendConfirmationMail } from './mailer.js';
import { createOneTimeToken } from './one-time-token-model.js';
import type { AuthSettings } from './settings.js';

/** crypto.GenerateOtp: `digits` random decimal digits, zero-padded. */
export const generateOtp = (digits: number) => Array.from({ length: digits }, () => randomInt(10)).join('');

/** crypto.GenerateTokenHash. */
export const generateTokenHash = (emailOrPhone: string, otp: string) => createHash('sha224').update(emailOrPhone + otp).digest('hex');

export interface MailContext {
  tx: SqlExecutor;
  settings: AuthSettings;
  mailbox: Mailbox;
  /** The referrer the link leads to after verification (GetReferrer). */
  redirectTo: string;
  /** API_EXTERNAL_URL. */
  externalUrl: string;
}

/**
 * validateSentWithinFrequencyLimit: 429 over_email_send_rate_limit while the last mail is younger
 * than the interval, with the whole seconds left (Go's Duration / time.Second truncates).
 */
async function checkSendFrequency(tx: SqlExecutor, userId: string, frequencyMs: number): Promise<void> {
  const [row] = await tx.query<{ left_ms: number | null }>(
    `select (extract(epoch from confirmation_sent_at + make_interval(secs => $2::float8 / 1000) - now()) * 1000)::float8 as left_ms
       from auth.users where id = $1`,
    [userId, frequencyMs],
  );
  const leftMs = row?.left_ms;
  if (leftMs !== null && leftMs !== undefined && leftMs > 0) {
    throw new GotrueError(429, 'over_email_send_rate_limit', `For security purposes, you can only request this after ${Math.trunc(leftMs / 1000)} seconds.`);
  }
}

/** sendConfirmation, for the implicit flow (no PKCE prefix on the token). */
export async function sendConfirmation(context: MailContext, user: { id: string; email: string }): Promise<void> {
  const { tx, settings } = context;
  await checkSendFrequency(tx, user.id, settings.maxFrequencyMs);
  const otp = generateOtp(settings.otpLength);
  const tokenHash = generateTokenHash(user.email, otp);
  sendConfirmationMail(context.mailbox, { email: user.email, otp, tokenHash, redirectTo: context.redirectTo, externalUrl: context.externalUrl });
  await tx.query('update auth.users set confirmation_token = $2, confirmation_sent_at = now() where id = $1', [user.id, tokenHash]);
  await createOneTimeToken(tx, user.id, user.email, tokenHash, 'confirmation_token');
}
