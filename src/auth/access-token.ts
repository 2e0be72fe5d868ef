/**
 * Verifies a Supabase Auth access token as the project signs them: HS256 with the project's JWT
 * secret (the embedded and local stacks, legacy hosted projects), or the project's published
 * JWKS (hosted projects with asymmetric signing keys). Only a signed-in user's token passes:
 * issued by the project's Supabase Auth (`iss`), audience and role `authenticated`, a user id in `sub`.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

export class InvalidAccessTokenError extends Error {
  override readonly name = 'InvalidAccessTokenError';

  constructor(
    readonly expired: boolean,
    message: string,
  ) {
    super(message);
  }
}

export interface AccessTokenOwner {
  userId: string;
}

export type AccessTokenVerifier = (token: string) => Promise<AccessTokenOwner>;

export type VerificationKey = { kind: 'secret'; secret: string } | { kind: 'jwks'; url: string };

/** How this project's access tokens are checked: the key, and the issuer its Supabase Auth writes in `iss` (`<API external URL>/auth/v1`). */
export interface TokenCheck {
  key: VerificationKey;
  issuer: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AUDIENCE = 'authenticated';

export function accessTokenVerifier({ key, issuer }: TokenCheck): AccessTokenVerifier {
  const claims = { audience: AUDIENCE, issuer };
  const verify =
    key.kind === 'secret'
      ? (token: string) => jwtVerify(token, new TextEncoder().encode(key.secret), { algorithms: ['HS256'], ...claims })
      : ((jwks: JWTVerifyGetKey) => (token: string) => jwtVerify(token, jwks, { algorithms: ['ES256', 'RS256', 'EdDSA'], ...claims }))(
          createRemoteJWKSet(new URL(key.url)),
        );
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await verify(token));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new InvalidAccessTokenError(true, 'the access token has expired');
      throw new InvalidAccessTokenError(false, 'the access token could not be verified');
    }
    if (payload.role !== 'authenticated' || typeof payload.sub !== 'string' || !UUID.test(payload.sub)) {
      throw new InvalidAccessTokenError(false, 'the token is not a signed-in user’s access token');
    }
    return { userId: payload.sub.toLowerCase() };
  };
}
