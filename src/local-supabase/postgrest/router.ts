/**
 * The PostgREST surface at /rest/v1, laid out as PostgREST's pipeline: the request is parsed
 * completely (api-request/: query string, Prefer, Accept, payload) before any SQL; the plan reads
 * the schema cache (plan/); the statement is built from quoted catalogue identifiers and
 * parameters (query/); the response is shaped last (response.ts). One transaction per request,
 * under the JWT's role with request.jwt.claims set, so grants and RLS apply as in Supabase.
 */
import express, { type Request, type Response } from 'express';
import { isSqlError, type SqlDatabase } from '../database.js';
import { bearerToken } from '../gateway.js';
import { InvalidJwtError, verifyJwt, type JwtClaims } from '../jwt.js';
import { negotiate } from './api-request/media.js';
import { parsePreferences } from './api-request/preferences.js';
import { parseQueryParams, type QueryParams } from './api-request/query-params.js';
import { PostgrestError, fromSqlError, unsupported } from './errors.js';
import { planCall } from './plan/call-plan.js';
import { loadTable, SCHEMA_VERSION_SQL, SchemaCache } from './plan/schema-cache.js';
import { callRoutine, deleteRows, insertRows, readTable, updateRows, type Window } from './query/statements.js';
import { mutationResponse, readResponse, type RestResponse } from './response.js';

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

/** Carries a finished answer out of a transaction that must roll back (Prefer: tx=rollback). */
class RolledBack extends Error {
  constructor(readonly answer: RestResponse) {
    super('rolled back on request');
  }
}

/** `limit`/`offset` intersected with a `Range: a-b` header (items). */
function rangeOf(query: QueryParams, header: string | undefined): Window {
  let offset = query.offset ?? 0;
  let limit = query.limit;
  if (header) {
    const range = /^(?:items=)?\s*(\d+)-(\d*)\s*$/.exec(header);
    const unsatisfiable = () =>
      new PostgrestError(416, 'PGRST103', 'Requested range not satisfiable', 'The lower boundary must be lower than or equal to the upper boundary in the Range header.');
    if (!range) throw unsatisfiable();
    const lower = Number(range[1]);
    const upper = range[2] === '' ? undefined : Number(range[2]);
    if (upper !== undefined && lower > upper) throw unsatisfiable();
    const start = Math.max(offset, lower);
    const ends = [limit === undefined ? undefined : offset + limit - 1, upper].filter((end): end is number => end !== undefined);
    offset = start;
    limit = ends.length ? Math.max(0, Math.min(...ends) - start + 1) : undefined;
  }
  return limit === undefined ? { offset } : { offset, limit };
}

/** On a table every parameter is a filter or a known transform; one that is neither does not parse. */
function refuseUnclaimed(query: QueryParams): void {
  const [first] = query.unclaimed;
  if (first) throw new PostgrestError(400, 'PGRST100', `"failed to parse filter (${first[1]})"`);
}

function rpcBody(body: unknown): Record<string, unknown> {
  const args = body ?? {};
  if (typeof args !== 'object' || Array.isArray(args)) throw unsupported('rpc with a body that is not a JSON object');
  return args as Record<string, unknown>;
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
  const schemaCache = new SchemaCache();

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
      const url = new URL(req.originalUrl, 'http://local');
      const query = parseQueryParams(url.searchParams);
      const preferences = parsePreferences(req.get('prefer'));
      const media = negotiate(req.get('accept'));
      const window = rangeOf(query, req.get('range'));
      const answer = await db.transaction(async (tx): Promise<RestResponse> => {
        const respond = (response: RestResponse): RestResponse => {
          // Prefer: tx=rollback: the answer stands, the writes do not.
          if (preferences.rollback) throw new RolledBack(response);
          return response;
        };
        const [{ schema_version: schemaVersion }] = (await tx.query<{ schema_version: string }>(
          `select ${SCHEMA_VERSION_SQL} as schema_version,
                  set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
                  set_config('request.method', $3, true), set_config('search_path', 'public, extensions', true)`,
          [role, JSON.stringify(claims), req.method],
        )) as [{ schema_version: string }];
        schemaCache.serve(tx, schemaVersion);
        if (req.params.name !== undefined) {
          const name = req.params.name as string;
          if (!['GET', 'HEAD', 'POST'].includes(req.method)) throw unsupported(`${req.method} on rpc/${name}`);
          const args = req.method === 'POST' ? rpcBody(body) : Object.fromEntries(query.unclaimed);
          const { routine, wholeBody } = await planCall(tx, name, Object.keys(args), preferences.singleObject === true);
          const result = await callRoutine(tx, name, routine, args, wholeBody, query, window, media, preferences.count);
          if (result === 'void') return respond({ status: 204, headers: {} });
          return respond(readResponse(result, window, media, preferences, req.method === 'HEAD'));
        }
        refuseUnclaimed(query);
        const table = await loadTable(tx, req.params.table as string);
        switch (req.method) {
          case 'GET':
          case 'HEAD':
            return respond(readResponse(await readTable(tx, table, query, window, media, preferences.count), window, media, preferences, req.method === 'HEAD'));
          case 'POST':
            return respond(mutationResponse('insert', await insertRows(tx, table, body, query, media, preferences), media, preferences));
          case 'PATCH':
            return respond(mutationResponse('update', await updateRows(tx, table, body, query, media, preferences.count), media, preferences));
          case 'DELETE':
            return respond(mutationResponse('delete', await deleteRows(tx, table, query, media, preferences.count), media, preferences));
          default:
            throw unsupported(`${req.method} on a table`);
        }
      }).catch((error: unknown) => {
        if (error instanceof RolledBack) return error.answer;
        throw error;
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
