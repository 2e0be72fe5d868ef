/** HS256 JWTs signed with the project's JWT secret, as GoTrue and PostgREST verify them. */
import { jwtVerify, errors } from 'jose';

export type JwtClaims = Record<string, unknown> & { role?: unknown };

export class InvalidJwtError extends Error {
  constructor(
    message: string,
    readonly expired: boolean,
  ) {
    super(message);
  }
}

export async function verifyJwt(token: string, secret: string): Promise<JwtClaims> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    return payload as JwtClaims;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new InvalidJwtError('JWT expired', true);
    const parts = token.split('.').length;
    const reason =
      parts === 3 ? 'JWSInvalidSignature' : `Expected 3 parts in JWT; got ${parts}`;
    throw new InvalidJwtError(reason, false);
  }
}
