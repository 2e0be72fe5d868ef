/**
 * GoTrue's POST /signup (internal/api/signup.go) for email and password, with email confirmations
 * off (the CLI's Mailer.Autoconfirm), so the answer is a session; closed when the project's
 * config.toml says so. Phone signups and PKCE flows are refused by name.
 */
import type { SqlDatabase } from '../database.js';
import { createUser, validateEmail } from './admin-users.js';
import { GotrueError, notImplemented, validationFailed } from './errors.js';
import { checkPasswordStrength } from './password.js';
import { createSession } from './session-model.js';
import type { AuthSettings } from './settings.js';
import { sessionFor, type TokenContext } from './token.js';
import { findUserByEmailAndAudience } from './user-model.js';

/** signup.go refuses closed sign-ups before it reads the request, so even a malformed body gets this answer. */
export function refuseClosedSignups(settings: AuthSettings): void {
  if (settings.disableSignup) throw new GotrueError(422, 'signup_disabled', 'Signups not allowed for this instance');
}

export async function signUp(context: TokenContext & { db: SqlDatabase }, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const email = typeof body.email === 'string' ? body.email : '';
  const phone = typeof body.phone === 'string' ? body.phone : '';
  const password = typeof body.password === 'string' ? body.password : '';
  if (password === '') throw validationFailed('Signup requires a valid password');
  checkPasswordStrength(password);
  if (email !== '' && phone !== '') throw validationFailed('Only an email address or phone number should be provided on signup.');
  if (phone !== '') throw notImplemented('Phone signup');
  if (typeof body.code_challenge === 'string' && body.code_challenge !== '') throw notImplemented('PKCE signup');
  if (email === '') throw validationFailed('Sign up only available with email or phone provider');
  if (!context.settings.emailEnabled) throw new GotrueError(400, 'email_provider_disabled', 'Email signups are disabled');
  // With [auth.email] enable_confirmations GoTrue answers the unconfirmed user and mails a link; not done here.
  if (!context.settings.mailerAutoconfirm) throw notImplemented('Sign-up with email confirmations ([auth.email] enable_confirmations)');
  const address = validateEmail(email);
  const existing = await findUserByEmailAndAudience(context.db, address, context.aud);
  if (existing?.confirmed) throw new GotrueError(422, 'user_already_exists', 'User already registered');
  if (existing) throw notImplemented('Signing up again over an unconfirmed user');
  const data = typeof body.data === 'object' && body.data !== null && !Array.isArray(body.data) ? body.data : {};
  const user = await createUser(context.db, { email: address, password, email_confirm: true, user_metadata: data }, { aud: context.aud, role: 'authenticated' });
  return context.db.transaction(async (tx) => {
    const { sessionId, refreshToken } = await createSession(tx, user.id as string);
    return sessionFor(tx, context, user.id as string, refreshToken, sessionId);
  });
}
