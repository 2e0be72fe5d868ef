/**
 * GoTrue's requireAuthentication (internal/api/auth.go): a Bearer JWT verified with the project's
 * secret, whose `sub` names an existing user and whose `session_id`, when present, an existing
 * session.
 */
import type { NextFunction, Request, Response } from 'express';
import type { SqlDatabase } from '../database.js';
import { bearerToken } from '../gateway.js';
import { InvalidJwtError, verifyJwt, type JwtClaims } from '../jwt.js';
import { GotrueError } from './errors.js';
import { sessionExists } from './session-model.js';
import { findUser, type UserRow } from './user-json.js';
import { INSTANCE_ID, UUID } from './user-model.js';


export interface Authenticated {
  claims: JwtClaims;
  user: UserRow;
  sessionId: string | undefined;
}

async function authenticate(db: SqlDatabase, authorization: string | undefined, jwtSecret: string): Promise<Authenticated> {
  const token = bearerToken(authorization);
  if (!token) throw new GotrueError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  let claims: JwtClaims;
  try {
    claims = await verifyJwt(token, jwtSecret);
  } catch (error) {
    if (error instanceof InvalidJwtError) throw new GotrueError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${error.message}`);
    throw error;
  }
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  if (subject === '') throw new GotrueError(403, 'bad_jwt', 'invalid claim: missing sub claim');
  if (!UUID.test(subject)) throw new GotrueError(400, 'bad_jwt', 'invalid claim: sub claim must be a UUID');
  const user = await db.transaction((tx) => findUser(tx, subject.toLowerCase()));
  if (!user) throw new GotrueError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
  const sessionId = typeof claims.session_id === 'string' && claims.session_id !== INSTANCE_ID ? claims.session_id : undefined;
  if (sessionId !== undefined) {
    if (!UUID.test(sessionId)) throw new GotrueError(403, 'bad_jwt', 'invalid claim: session_id claim must be a UUID');
    if (!(await sessionExists(db, sessionId))) {
      throw new GotrueError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
    }
  }
  if (user.banned_until !== null && Date.parse(user.banned_until) > Date.now()) throw new GotrueError(403, 'user_banned', 'User is banned');
  return { claims, user, sessionId };
}

/** Express middleware: puts the authenticated user in res.locals.authenticated. */
export function requireAuthentication(db: SqlDatabase, jwtSecret: string) {
  return async (_req: Request, res: Response, next: NextFunction) => {
    res.locals.authenticated = await authenticate(db, res.locals.authorization as string | undefined, jwtSecret);
    next();
  };
}
