/**
 * GoTrue's access token and token response (internal/tokens/service.go): an HS256 JWT with
 * AccessTokenClaims, valid for JWT.Exp (3600 s, the CLI's jwt_expiry), and the session JSON
 * {access_token, token_type, expires_in, expires_at, refresh_token, user}.
 */
import { SignJWT } from 'jose';
import type { UserRow } from './user-json.js';
import { userJson } from './user-json.js';

export const ACCESS_TOKEN_SECONDS = 3600;

export interface IssueParams {
  user: UserRow;
  sessionId: string;
  refreshToken: string;
  /** GoTrue's `iss`: its external URL, `…/auth/v1`. */
  issuer: string;
  jwtSecret: string;
  /** When the session's password sign-in happened (the `amr` timestamp), in Unix seconds. */
  signedInAt: number;
  /** The `amr` method: models.AuthenticationMethod ('password', 'otp' for a verified email link or code). */
  method?: string;
  weakPassword?: { message: string; reasons: string[] };
}

export async function issueSession(params: IssueParams): Promise<Record<string, unknown>> {
  const { user } = params;
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + ACCESS_TOKEN_SECONDS;
  const accessToken = await new SignJWT({
    iss: params.issuer,
    sub: user.id,
    aud: user.aud ?? '',
    exp: expiresAt,
    iat: issuedAt,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.app_metadata ?? {},
    user_metadata: user.user_metadata ?? {},
    role: user.role ?? '',
    aal: 'aal1',
    amr: [{ method: params.method ?? 'password', timestamp: params.signedInAt }],
    session_id: params.sessionId,
    is_anonymous: user.is_anonymous,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(params.jwtSecret));
  return {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: ACCESS_TOKEN_SECONDS,
    expires_at: expiresAt,
    refresh_token: params.refreshToken,
    user: userJson(user, { withConfirmedAt: true }),
    ...(params.weakPassword ? { weak_password: params.weakPassword } : {}),
  };
}
