/** The Authorization: Bearer credential (RFC 6750), checked before anything else is read; failures carry the challenge. */
import type { Request } from 'express';
import { AppError } from '../errors.js';
import { InvalidAccessTokenError, type AccessTokenOwner, type AccessTokenVerifier } from '../auth/access-token.js';

const REALM = 'ims-api';

export async function authenticate(req: Request, verify: AccessTokenVerifier): Promise<{ token: string; owner: AccessTokenOwner }> {
  const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(req.get('authorization') ?? '')?.[1];
  if (!token) {
    throw new AppError('unauthorized', 'unauthorized', 'Send a Supabase access token: Authorization: Bearer <token>.', {
      challenge: `Bearer realm="${REALM}"`,
    });
  }
  try {
    return { token, owner: await verify(token) };
  } catch (error) {
    if (!(error instanceof InvalidAccessTokenError)) throw error;
    const description = error.expired ? 'The access token has expired; refresh the session.' : 'The access token is not valid.';
    throw new AppError('unauthorized', 'invalid_token', description, {
      challenge: `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`,
    });
  }
}
