/**
 * GoTrue's /verify (internal/api/verify.go) for email confirmations: GET follows a mailed link
 * (token = the token hash) and answers 303 to the referrer with the session, or GoTrue's error,
 * in the URL fragment; POST takes `{type, token_hash}` or `{type, email, token}` and answers the
 * session JSON. Signup and email types only; the others are refused by name.
 */
import type { Request, Response } from 'express';
import type { SqlExecutor } from '../database.js';
import { validateEmail } from './admin-users.js';
import { GotrueError, notImplemented, validationFailed } from './errors.js';
import { generateTokenHash } from './mail.js';
import { goEncodeValues } from './mailer.js';
import { clearOneTimeTokens, findUserIdByOneTimeToken, type OneTimeTokenType } from './one-time-token-model.js';
import { referrer } from './redirect-url.js';
import { createSession } from './session-model.js';
import { sessionFor, stringField, type TokenContext } from './token.js';
import { INSTANCE_ID } from './user-model.js';

/** Verification types GoTrue knows that this stand-in does not implement. */
const UNIMPLEMENTED_TYPES = ['invite', 'recovery', 'magiclink', 'email_change'];
const PKCE_PREFIX = 'pkce_';

/** oauthErrorMap: the OAuth `error` of a redirect, by HTTP status. */
const OAUTH_ERRORS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized_client',
  403: 'access_denied',
  500: 'server_error',
  503: 'temporarily_unavailable',
};

const linkExpired = () => new GotrueError(403, 'otp_expired', 'Email link is invalid or has expired');
const codeExpired = () => new GotrueError(403, 'otp_expired', 'Token has expired or is invalid');
const userBanned = () => new GotrueError(403, 'user_banned', 'User is banned');

interface VerifyingUser {
  id: string;
  email: string | null;
  banned: boolean;
  /** The confirmation was sent within Mailer.OtpExp (isOtpExpired, false when never sent). */
  fresh: boolean;
  confirmation_token: string;
}

async function loadUser(tx: SqlExecutor, where: string, params: unknown[], otpExpirySeconds: number): Promise<VerifyingUser | undefined> {
  const [user] = await tx.query<VerifyingUser>(
    `select id, email, coalesce(banned_until > now(), false) as banned,
            coalesce(confirmation_sent_at + make_interval(secs => $1::float8) >= now(), false) as fresh,
            coalesce(confirmation_token, '') as confirmation_token
       from auth.users where ${where} for update`,
    [otpExpirySeconds, ...params],
  );
  return user;
}

/** verifyTokenHash for `signup` and `email` (a confirmation token, found through auth.one_time_tokens). */
async function verifyTokenHash(tx: SqlExecutor, context: TokenContext, type: string, tokenHash: string): Promise<VerifyingUser> {
  if (UNIMPLEMENTED_TYPES.includes(type)) throw notImplemented(`Verifying type=${type}`);
  if (type !== 'signup' && type !== 'email') throw validationFailed('Invalid email verification type');
  // The stand-in issues no recovery tokens, so `email` finds confirmation tokens only.
  const types: OneTimeTokenType[] = type === 'email' ? ['confirmation_token', 'recovery_token'] : ['confirmation_token'];
  const userId = await findUserIdByOneTimeToken(tx, tokenHash, types);
  const user = userId ? await loadUser(tx, 'id = $2', [userId], context.settings.otpExpirySeconds) : undefined;
  if (!user) throw linkExpired();
  if (user.banned) throw userBanned();
  if (!user.fresh) throw linkExpired();
  return user;
}

/** verifyUserAndToken for an email OTP code: the user by address, the hash of address + code against confirmation_token. */
async function verifyEmailCode(tx: SqlExecutor, context: TokenContext, type: string, email: string, code: string): Promise<VerifyingUser> {
  if (UNIMPLEMENTED_TYPES.includes(type)) throw notImplemented(`Verifying type=${type}`);
  const user = await loadUser(
    tx,
    'instance_id = $2 and lower(email) = lower($3) and aud = $4 and is_sso_user = false',
    [INSTANCE_ID, email, context.aud],
    context.settings.otpExpirySeconds,
  );
  if (!user) throw codeExpired();
  if (user.banned) throw userBanned();
  const hash = generateTokenHash(email, code);
  const valid = (type === 'signup' || type === 'email') && user.fresh && user.confirmation_token !== '' && user.confirmation_token === hash;
  if (!valid) throw codeExpired();
  return user;
}

/**
 * signupVerify: User.Confirm (confirmation_token cleared, email_confirmed_at, user_metadata
 * email_verified, every one-time token gone) and email_verified on the identity of that address.
 */
async function signupVerify(tx: SqlExecutor, user: VerifyingUser): Promise<void> {
  await tx.query(
    `update auth.users set confirmation_token = '', email_confirmed_at = now(),
            raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb
      where id = $1`,
    [user.id],
  );
  await clearOneTimeTokens(tx, user.id);
  await tx.query(
    `update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
      where user_id = $1 and email is not null and email <> '' and email = $2`,
    [user.id, user.email ?? ''],
  );
}

/** issueRefreshToken with models.OTP: a new session, its `amr` method `otp`. */
async function issueSession(tx: SqlExecutor, context: TokenContext, userId: string): Promise<Record<string, unknown>> {
  const { sessionId, refreshToken } = await createSession(tx, userId);
  return sessionFor(tx, context, userId, refreshToken, sessionId, undefined, 'otp');
}

/** http.Redirect with 303 See Other, as Go writes it for a GET. */
function seeOther(res: Response, location: string): void {
  const escaped = location.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[char]!);
  res.status(303).set({ Location: location, 'Content-Type': 'text/html; charset=utf-8' }).send(`<a href="${escaped}">See Other</a>.\n\n`);
}

/** prepErrorRedirectURL (implicit flow): the referrer's query kept, the error in the fragment. */
function errorRedirectUrl(redirectTo: string, error: GotrueError): string | undefined {
  try {
    new URL(redirectTo);
  } catch {
    return undefined;
  }
  const oauth = OAUTH_ERRORS[error.status];
  const fragment = goEncodeValues({ ...(oauth ? { error: oauth } : {}), error_code: error.code, error_description: error.message, sb: '' });
  return `${redirectTo.split('#')[0]}#${fragment}`;
}

export async function verifyGet(req: Request, res: Response, context: TokenContext): Promise<void> {
  const query = new URL(req.originalUrl, 'http://local').searchParams;
  const token = query.get('token') ?? '';
  const type = query.get('type') ?? '';
  const redirectTo = referrer(req, context.settings);
  if (type === '') throw validationFailed('Verify requires a verification type');
  if (token === '') throw validationFailed('Verify requires a token or a token hash');
  if (token.startsWith(PKCE_PREFIX)) throw notImplemented('PKCE verification');
  let session: Record<string, unknown>;
  try {
    session = await context.db.transaction(async (tx) => {
      const user = await verifyTokenHash(tx, context, type, token);
      await signupVerify(tx, user);
      return issueSession(tx, context, user.id);
    });
  } catch (error) {
    if (!(error instanceof GotrueError) || error.code === 'not_implemented') throw error;
    const location = errorRedirectUrl(redirectTo, error);
    if (!location) throw error;
    seeOther(res, location);
    return;
  }
  // AsRedirectURL: the fragment is appended to the referrer as it is; `type` is the type verified (`email` reads as `signup`).
  const fragment = goEncodeValues({
    type: type === 'email' ? 'signup' : type,
    access_token: String(session.access_token),
    token_type: String(session.token_type),
    expires_in: String(session.expires_in),
    expires_at: String(session.expires_at),
    refresh_token: String(session.refresh_token),
    sb: '',
  });
  seeOther(res, `${redirectTo}#${fragment}`);
}

export async function verifyPost(context: TokenContext, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const type = stringField(body, 'type');
  const token = stringField(body, 'token');
  const tokenHash = stringField(body, 'token_hash');
  const email = stringField(body, 'email');
  const phone = stringField(body, 'phone');
  const redirectTo = stringField(body, 'redirect_to');
  if (type === '') throw validationFailed('Verify requires a verification type');
  if ((token === '' && tokenHash === '') || (token !== '' && tokenHash !== '')) {
    throw validationFailed('Verify requires either a token or a token hash');
  }
  let address = '';
  if (token !== '') {
    if (phone !== '' && email === '') throw notImplemented('Phone verification');
    if (!(phone === '' && email !== '')) throw validationFailed('Only an email address or phone number should be provided on verify');
    try {
      address = validateEmail(email);
    } catch {
      throw new GotrueError(422, 'validation_failed', 'Invalid email format');
    }
  } else if (email !== '' || phone !== '' || redirectTo !== '') {
    throw validationFailed('Only the token_hash and type should be provided');
  }
  if (token !== '' && (type === 'sms' || type === 'phone_change')) throw notImplemented(`Verifying type=${type}`);
  return context.db.transaction(async (tx) => {
    const user = token !== '' ? await verifyEmailCode(tx, context, type, address, token) : await verifyTokenHash(tx, context, type, tokenHash);
    if (type !== 'signup' && type !== 'email') throw validationFailed('Unsupported verification type');
    await signupVerify(tx, user);
    return issueSession(tx, context, user.id);
  });
}
