/**
 * The GoTrue surface at /auth/v1, routed as internal/api/api.go routes it: /signup (signup.go), /token (token.go),
 * /user (user.go), /logout (logout.go), /resend (resend.go), /verify (verify.go), the JWKS, and /admin behind requireAdminCredentials
 * (admin.go). What is not implemented is refused by name: 422 `not_implemented`.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SqlDatabase } from '../database.js';
import { bearerToken } from '../gateway.js';
import { InvalidJwtError, verifyJwt } from '../jwt.js';
import { listUsers, updateUser } from './admin-list-update.js';
import { createUser, deleteUser, getUser, validateEmail, type CreateUserParams } from './admin-users.js';
import { requireAuthentication, type Authenticated } from './authentication.js';
import { GotrueError, notImplemented, sendGotrueError } from './errors.js';
import { logout } from './logout.js';
import { referrer } from './redirect-url.js';
import { resend } from './resend.js';
import type { AuthSettings } from './settings.js';
import { refuseClosedSignups, signUp } from './signup.js';
import { passwordGrant, refreshTokenGrant, type TokenContext } from './token.js';
import { currentUser } from './user.js';
import { verifyGet, verifyPost } from './verify.js';
import { Mailbox } from '../inbox/mailbox.js';

const ADMIN_ROLES = ['service_role'];
const DEFAULTS = { aud: 'authenticated', role: 'authenticated' };
/** Grants GoTrue knows that this stand-in does not implement. */
const UNIMPLEMENTED_GRANTS = ['id_token', 'pkce', 'web3'];


/** GoTrue's requestAud: the X-JWT-AUD header, else the configured audience. */
const requestAud = (req: Request) => req.get('x-jwt-aud') || DEFAULTS.aud;

function parseJson(req: Request): Record<string, unknown> {
  const text = typeof req.body === 'string' ? req.body : '';
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new GotrueError(400, 'bad_json', `Could not parse request body as JSON: ${(error as Error).message}`);
  }
}

/** GoTrue's mail goes to `mailbox`, the local inbox (Mailpit under `supabase start`). */
/**
 * GoTrue's API_EXTERNAL_URL: its tokens' `iss` and its mails' links, whatever Host a request came
 * with. Set once the stand-in listens; an app used on its own falls back to the request's host.
 */
export interface ExternalUrl {
  url?: string;
}

export function gotrueRouter(
  db: SqlDatabase,
  jwtSecret: string,
  settings: AuthSettings,
  mailbox: Mailbox = new Mailbox(),
  external: ExternalUrl = {},
): express.Router {
  const router = express.Router();
  const authenticated = requireAuthentication(db, jwtSecret);
  const tokenContext = (req: Request): TokenContext => ({
    db,
    jwtSecret,
    aud: requestAud(req),
    issuer: `${external.url ?? `${req.protocol}://${req.get('host')}`}/auth/v1`,
    settings,
  });

  router.post('/token', async (req, res) => {
    const grantType = new URL(req.originalUrl, 'http://local').searchParams.get('grant_type') ?? '';
    const context = tokenContext(req);
    if (grantType === 'password') res.status(200).json(await passwordGrant(context, parseJson(req)));
    else if (grantType === 'refresh_token') res.status(200).json(await refreshTokenGrant(context, parseJson(req)));
    else if (UNIMPLEMENTED_GRANTS.includes(grantType)) throw notImplemented(`grant_type=${grantType}`);
    else throw new GotrueError(400, 'invalid_credentials', 'unsupported_grant_type');
  });

  router.post('/signup', async (req, res) => {
    refuseClosedSignups(settings);
    res.status(200).json(await signUp(tokenContext(req), parseJson(req)));
  });

  router.post('/resend', async (req, res) => {
    const context = tokenContext(req);
    res.status(200).json(await resend({ ...context, mailbox, redirectTo: referrer(req, settings), externalUrl: context.issuer }, parseJson(req)));
  });

  router.get('/verify', async (req, res) => {
    await verifyGet(req, res, tokenContext(req));
  });

  router.post('/verify', async (req, res) => {
    res.status(200).json(await verifyPost(tokenContext(req), parseJson(req)));
  });

  router.get('/user', authenticated, (req, res) => {
    res.status(200).json(currentUser(res.locals.authenticated as Authenticated, requestAud(req)));
  });

  router.post('/logout', authenticated, async (req, res) => {
    await logout(db, res.locals.authenticated as Authenticated, new URL(req.originalUrl, 'http://local').searchParams.get('scope'));
    res.status(204).end();
  });

  // Tokens here are HS256 with the shared secret only: no asymmetric signing keys to publish.
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.status(200).json({ keys: [] });
  });

  router.use('/admin', async (_req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(res.locals.authorization as string | undefined);
    if (!token) throw new GotrueError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
    try {
      const claims = await verifyJwt(token, jwtSecret);
      if (typeof claims.role !== 'string' || !ADMIN_ROLES.includes(claims.role)) {
        throw new GotrueError(403, 'not_admin', 'User not allowed');
      }
    } catch (error) {
      if (error instanceof InvalidJwtError) {
        throw new GotrueError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${error.message}`);
      }
      throw error;
    }
    next();
  });

  router.post('/admin/users', async (req, res) => {
    const user = await createUser(db, parseJson(req) as CreateUserParams, {
      aud: req.get('x-jwt-aud') || DEFAULTS.aud,
      role: DEFAULTS.role,
    });
    res.status(200).json(user);
  });

  router.get('/admin/users', async (req, res) => {
    const url = new URL(req.url, 'http://local');
    const { body, headers } = await listUsers(db, requestAud(req), url.pathname, url.searchParams);
    res.status(200).set(headers).json(body);
  });

  router.put('/admin/users/:id', async (req, res) => {
    res.status(200).json(await updateUser(db, req.params.id, parseJson(req), validateEmail));
  });

  router.get('/admin/users/:id', async (req, res) => {
    res.status(200).json(await getUser(db, req.params.id));
  });

  router.delete('/admin/users/:id', async (req, res) => {
    await deleteUser(db, req.params.id, parseJson(req).should_soft_delete === true);
    res.status(200).json({});
  });

  router.use((req: Request) => {
    throw notImplemented(`${req.method} /auth/v1${req.path}`);
  });

  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (error instanceof GotrueError) sendGotrueError(req, res, error);
    else next(error);
  });

  return router;
}
