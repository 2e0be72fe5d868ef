/**
 * GoTrue's POST /token (internal/api/token.go, internal/tokens/service.go): the `password` grant
 * (email + password → a new session) and the `refresh_token` grant (rotating v1 refresh tokens,
 * with GoTrue's reuse interval). Other grants are refused by name.
 */
import type { SqlDatabase, SqlExecutor } from '../database.js';
import { issueSession } from './access-token.js';
import { GotrueError, OAuthError, WeakPasswordError, notImplemented, validationFailed } from './errors.js';
import { checkPasswordStrength, passwordMatches } from './password.js';
import type { AuthSettings } from './settings.js';
import {
  REFRESH_TOKEN_REUSE_SECONDS,
  activeChildOf,
  createSession,
  findRefreshToken,
  revokeSessionTokens,
  swapRefreshToken,
  type RefreshTokenRow,
} from './session-model.js';
import { findUser } from './user-json.js';
import { findUserByEmailAndAudience } from './user-model.js';

const INVALID_LOGIN = 'Invalid login credentials';

export interface TokenContext {
  db: SqlDatabase;
  jwtSecret: string;
  issuer: string;
  aud: string;
  settings: AuthSettings;
}

const invalidCredentials = () => new GotrueError(400, 'invalid_credentials', INVALID_LOGIN);

/** A field that must be a string when present (GoTrue's json.Unmarshal refuses other types). */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new GotrueError(400, 'bad_json', `Could not parse request body as JSON: ${name} must be a string`);
  return value;
}

export async function sessionFor(
  tx: SqlExecutor,
  context: TokenContext,
  userId: string,
  refreshToken: string,
  sessionId: string,
  weakPassword?: { message: string; reasons: string[] },
  method = 'password',
) {
  const user = await findUser(tx, userId);
  const [session] = await tx.query<{ signed_in_at: number }>(
    'select extract(epoch from created_at)::bigint as signed_in_at from auth.sessions where id = $1',
    [sessionId],
  );
  return issueSession({
    user: user!,
    sessionId,
    refreshToken,
    issuer: context.issuer,
    jwtSecret: context.jwtSecret,
    signedInAt: Number(session!.signed_in_at),
    method,
    ...(weakPassword ? { weakPassword } : {}),
  });
}

/** A successful sign-in reports a weak password instead of refusing it; other strength errors are not the caller's concern here. */
function weakPasswordOf(password: string): { message: string; reasons: string[] } | undefined {
  try {
    checkPasswordStrength(password);
    return undefined;
  } catch (error) {
    return error instanceof WeakPasswordError ? { message: error.message, reasons: error.reasons } : undefined;
  }
}

export async function passwordGrant(context: TokenContext, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const email = stringField(body, 'email');
  const phone = stringField(body, 'phone');
  const password = stringField(body, 'password');
  if (email !== '' && phone !== '') throw validationFailed('Only an email address or phone number should be provided on login.');
  if (email === '' && phone === '') throw validationFailed('missing email or phone');
  if (phone !== '') throw notImplemented('Phone sign-in');
  if (!context.settings.emailEnabled) throw new GotrueError(422, 'email_provider_disabled', 'Email logins are disabled');

  const found = await findUserByEmailAndAudience(context.db, email, context.aud);
  if (!found || !found.encrypted_password) throw invalidCredentials();
  if (found.banned) throw new GotrueError(400, 'user_banned', 'User is banned');
  if (!(await passwordMatches(password, found.encrypted_password))) throw invalidCredentials();
  if (!found.confirmed) throw new GotrueError(400, 'email_not_confirmed', 'Email not confirmed');

  const weakPassword = weakPasswordOf(password);
  return context.db.transaction(async (tx) => {
    const { sessionId, refreshToken } = await createSession(tx, found.id);
    return sessionFor(tx, context, found.id, refreshToken, sessionId, weakPassword);
  });
}

/** What a presented refresh token earns: its already-issued child (within the reuse interval), a new child, or a refusal. */
async function rotate(tx: SqlExecutor, token: RefreshTokenRow): Promise<string> {
  if (token.revoked) {
    const child = await activeChildOf(tx, token.session_id!, token.token);
    if (child) return child;
    if (token.age_seconds > REFRESH_TOKEN_REUSE_SECONDS) {
      await revokeSessionTokens(tx, token.session_id!);
      throw new GotrueError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
    }
  }
  return swapRefreshToken(tx, token);
}

export async function refreshTokenGrant(context: TokenContext, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const presented = stringField(body, 'refresh_token');
  if (presented === '') throw new OAuthError('invalid_request', 'refresh_token required');
  try {
    return await context.db.transaction(async (tx) => {
      const token = await findRefreshToken(tx, presented);
      if (!token) throw new GotrueError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      const [banned] = await tx.query('select 1 from auth.users where id = $1 and banned_until > now()', [token.user_id]);
      if (banned) throw new GotrueError(400, 'user_banned', 'Invalid Refresh Token: User Banned');
      if (!token.session_id || !token.session_exists) {
        throw new GotrueError(400, 'session_not_found', 'Invalid Refresh Token: No Valid Session Found');
      }
      const issued = await rotate(tx, token);
      return sessionFor(tx, context, token.user_id, issued, token.session_id);
    });
  } catch (error) {
    // A reused token's family is revoked even though the request fails (GoTrue's NewCommitWithError).
    if (error instanceof GotrueError && error.code === 'refresh_token_already_used') {
      const token = await findRefreshToken(context.db, presented);
      if (token?.session_id) await revokeSessionTokens(context.db, token.session_id);
    }
    throw error;
  }
}
