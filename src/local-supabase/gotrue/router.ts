/** The GoTrue surface at /auth/v1: admin credentials (requireAdminCredentials), then the admin user routes. */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SqlDatabase } from '../database.js';
import { bearerToken } from '../gateway.js';
import { InvalidJwtError, verifyJwt } from '../jwt.js';
import { createUser, deleteUser, getUser, type CreateUserParams } from './admin-users.js';
import { GotrueError, sendGotrueError } from './errors.js';

const ADMIN_ROLES = ['service_role'];
const DEFAULTS = { aud: 'authenticated', role: 'authenticated' };

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

export function gotrueRouter(db: SqlDatabase, jwtSecret: string): express.Router {
  const router = express.Router();

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

  router.get('/admin/users/:id', async (req, res) => {
    res.status(200).json(await getUser(db, req.params.id));
  });

  router.delete('/admin/users/:id', async (req, res) => {
    await deleteUser(db, req.params.id, parseJson(req).should_soft_delete === true);
    res.status(200).json({});
  });

  router.use('/admin', () => {
    throw new GotrueError(501, 'not_implemented', 'Not implemented by the embedded local Supabase');
  });

  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (error instanceof GotrueError) sendGotrueError(req, res, error);
    else next(error);
  });

  return router;
}
