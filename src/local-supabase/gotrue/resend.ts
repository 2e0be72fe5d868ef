/**
 * GoTrue's POST /resend (internal/api/resend.go) for `type: signup`: a fresh confirmation mail to
 * an unconfirmed user (sendConfirmation, with its per-user interval); `{}` for an unknown or
 * already confirmed address, so the answer tells nothing about who has an account. The other
 * types, phone numbers and PKCE are refused by name.
 */
import type { Mailbox } from '../inbox/mailbox.js';
import { validateEmail } from './admin-users.js';
import { GotrueError, notImplemented, validationFailed } from './errors.js';
import { sendConfirmation } from './mail.js';
import { stringField, type TokenContext } from './token.js';
import { findUserByEmailAndAudience } from './user-model.js';

const TYPES = ['signup', 'email_change', 'sms', 'phone_change'];

export interface ResendContext extends TokenContext {
  mailbox: Mailbox;
  /** GetReferrer's answer for this request. */
  redirectTo: string;
  /** API_EXTERNAL_URL. */
  externalUrl: string;
}

/** ResendConfirmationParams.Validate; returns the lower-cased email. */
function validate(context: ResendContext, type: string, email: string, phone: string, codeChallenge: string): string {
  if (!TYPES.includes(type)) throw validationFailed('Missing one of these types: signup, email_change, sms, phone_change');
  if ((type === 'signup' || type === 'email_change') && codeChallenge !== '') throw notImplemented('PKCE resend');
  if (email === '' && type === 'signup') throw validationFailed('Type provided requires an email address');
  if (phone === '' && type === 'sms') throw validationFailed('Type provided requires a phone number');
  if (email !== '' && phone !== '') throw validationFailed('Only an email address or phone number should be provided.');
  if (phone !== '') throw notImplemented('Resending to a phone number');
  if (email === '') throw validationFailed('Missing email address or phone number');
  if (!context.settings.emailEnabled) throw new GotrueError(400, 'email_provider_disabled', 'Email logins are disabled');
  return validateEmail(email);
}

export async function resend(context: ResendContext, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const type = stringField(body, 'type');
  const email = validate(context, type, stringField(body, 'email'), stringField(body, 'phone'), stringField(body, 'code_challenge'));
  if (type !== 'signup') throw notImplemented(`Resending type=${type}`);
  const user = await findUserByEmailAndAudience(context.db, email, context.aud);
  if (!user || user.confirmed) return {};
  await context.db.transaction(async (tx) => {
    const [locked] = await tx.query<{ email: string; confirmed: boolean }>(
      'select email, email_confirmed_at is not null as confirmed from auth.users where id = $1 for update',
      [user.id],
    );
    if (!locked || locked.confirmed) return;
    await sendConfirmation({ tx, settings: context.settings, mailbox: context.mailbox, redirectTo: context.redirectTo, externalUrl: context.externalUrl }, { id: user.id, email: locked.email });
  });
  return {};
}
