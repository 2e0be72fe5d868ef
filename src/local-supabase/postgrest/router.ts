/** The PostgREST surface at /rest/v1: JWT → role, one transaction per request, PostgREST's error JSON. */
import express, { type Request, type Response } from 'express';
import { isSqlError, type SqlDatabase } from '../database.js';
import { bearerToken } from '../gateway.js';
import { InvalidJwtError, verifyJwt, type JwtClaims } from '../jwt.js';
import { PostgrestError, fromSqlError } from './errors.js';
import type { RestResponse } from './response.js';
import { handleRpc } from './rpc.js';
import { handleTable } from './tables.js';

const EXPOSED_SCHEMAS = ['public', 'graphql_public'];

/** The roles Supabase grants to `authenticator`, the only roles PostgREST can switch to. */
const AUTHENTICATOR_MAY_BECOME = ['anon', 'authenticated', 'service_role'];

/**
 * Refuses a JWT role PostgREST could not switch to, with the error Postgres gives `authenticator`
 * (this stand-in connects as a superuser, which could become any role).
 */
async function checkRole(db: SqlDatabase, role: string): Promise<void> {
  if (AUTHENTICATOR_MAY_BECOME.includes(role)) return;
  const [existing] = await db.query('select 1 from pg_catalog.pg_roles where rolname = $1', [role]);
  if (existing) throw new PostgrestError(403, '42501', `permission denied to set role "${role}"`);
  throw new PostgrestError(401, '22023', `role "${role}" does not exist`);
}

function send(res: Response, answer: RestResponse): void {
  res.status(answer.status).set(answer.headers);
  if (answer.body === undefined) res.end();
  else res.send(answer.body);
}

function sendError(res: Response, error: PostgrestError, extra: Record<string, string> = {}): void {
  res
    .status(error.status)
    .set({ 'Content-Type': 'application/json; charset=utf-8', 'Proxy-Status': `PostgREST; error=${error.code}`, ...extra })
    .send(JSON.stringify(error));
}

async function claimsOf(authorization: string | undefined, jwtSecret: string): Promise<JwtClaims> {
  const token = bearerToken(authorization);
  return token ? verifyJwt(token, jwtSecret) : { role: 'anon' };
}

function parseBody(req: Request): unknown {
  const text = typeof req.body === 'string' ? req.body : '';
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new PostgrestError(400, 'PGRST102', 'Empty or invalid json');
  }
}

export function postgrestRouter(db: SqlDatabase, jwtSecret: string): express.Router {
  const router = express.Router();

  router.all(['/rpc/:name', '/:table'], async (req: Request, res: Response) => {
    let role = 'anon';
    try {
      const claims = await claimsOf(res.locals.authorization as string | undefined, jwtSecret);
      role = typeof claims.role === 'string' ? claims.role : 'anon';
      await checkRole(db, role);
      const profile = req.get(req.method === 'GET' || req.method === 'HEAD' ? 'accept-profile' : 'content-profile');
      if (profile && !EXPOSED_SCHEMAS.includes(profile)) {
        throw new PostgrestError(406, 'PGRST106', `Invalid schema: ${profile}`, null,
          `Only the following schemas are exposed: ${EXPOSED_SCHEMAS.join(', ')}`);
      }
      const body = parseBody(req);
      const query = new URL(req.originalUrl, 'http://local').searchParams;
      const answer = await db.transaction(async (tx) => {
        await tx.query(
          `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
                  set_config('request.method', $3, true), set_config('search_path', 'public, extensions', true)`,
          [role, JSON.stringify(claims), req.method],
        );
        return req.params.name !== undefined
          ? handleRpc(tx, req.params.name as string, req.method, body)
          : handleTable(tx, {
              method: req.method,
              table: req.params.table as string,
              query,
              singular: (req.get('accept') ?? '').includes('application/vnd.pgrst.object+json'),
              prefer: req.get('prefer'),
              body,
            });
      });
      if (profile) answer.headers['Content-Profile'] = profile;
      send(res, answer);
    } catch (error) {
      if (error instanceof InvalidJwtError) {
        const jwtError = new PostgrestError(401, error.expired ? 'PGRST303' : 'PGRST301', error.message);
        sendError(res, jwtError, {
          'WWW-Authenticate': `Bearer error="invalid_token", error_description="${error.message}"`,
        });
      } else if (error instanceof PostgrestError) sendError(res, error);
      else if (isSqlError(error)) sendError(res, fromSqlError(error, role));
      else throw error;
    }
  });

  return router;
}
