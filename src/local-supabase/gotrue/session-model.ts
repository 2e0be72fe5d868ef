/**
 * GoTrue's sessions and v1 refresh tokens (internal/models/sessions.go, refresh_token.go): a
 * session per sign-in, a chain of opaque refresh tokens in it, each one revoked when swapped for
 * its child.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../database.js';
import { INSTANCE_ID } from './user-model.js';

/** GoTrue's RefreshTokenReuseInterval default (and the CLI's): a just-swapped token still answers for this long. */
export const REFRESH_TOKEN_REUSE_SECONDS = 10;

export interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  session_id: string | null;
  /** Seconds since the token was last updated (revoked), by the database's clock. */
  age_seconds: number;
  session_exists: boolean;
}

/** crypto.SecureAlphanumeric(12): lower-case base32 without padding. */
function secureAlphanumeric(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from(randomBytes(length), (byte) => alphabet[byte & 31]).join('');
}

async function insertRefreshToken(tx: SqlExecutor, userId: string, sessionId: string, parent: string | null): Promise<string> {
  const token = secureAlphanumeric(12);
  await tx.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
     values ($1, $2, $3, false, now(), now(), $4, $5)`,
    [INSTANCE_ID, token, userId, parent, sessionId],
  );
  return token;
}

/** A new session (aal1) and its first refresh token, as GrantAuthenticatedUser makes them. */
export async function createSession(tx: SqlExecutor, userId: string): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = randomUUID();
  await tx.query(
    `insert into auth.sessions (id, user_id, created_at, updated_at, aal) values ($1, $2, now(), now(), 'aal1')`,
    [sessionId, userId],
  );
  await tx.query('update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1', [userId]);
  return { sessionId, refreshToken: await insertRefreshToken(tx, userId, sessionId, null) };
}

export async function findRefreshToken(tx: SqlExecutor, token: string): Promise<RefreshTokenRow | undefined> {
  const [row] = await tx.query<RefreshTokenRow>(
    `select r.id::text, r.token, r.user_id, r.revoked, r.session_id,
            extract(epoch from now() - r.updated_at)::float8 as age_seconds,
            exists (select from auth.sessions s where s.id = r.session_id) as session_exists
       from auth.refresh_tokens r where r.instance_id = $1 and r.token = $2 for update of r`,
    [INSTANCE_ID, token],
  );
  return row;
}

/** The session's live (not revoked) token whose parent is `parent`, if one was swapped in already. */
export async function activeChildOf(tx: SqlExecutor, sessionId: string, parent: string): Promise<string | undefined> {
  const [row] = await tx.query<{ token: string }>(
    `select token from auth.refresh_tokens where session_id = $1 and revoked = false and parent = $2 order by id limit 1`,
    [sessionId, parent],
  );
  return row?.token;
}

/** GrantRefreshTokenSwap: revokes `old` and issues its child in the same session. */
export async function swapRefreshToken(tx: SqlExecutor, old: RefreshTokenRow): Promise<string> {
  await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1', [old.id]);
  await tx.query('update auth.sessions set refreshed_at = now() at time zone \'utc\', updated_at = now() where id = $1', [old.session_id]);
  return insertRefreshToken(tx, old.user_id, old.session_id!, old.token);
}

/** RevokeTokenFamily: a reused token revokes every live token of its session. */
export async function revokeSessionTokens(tx: SqlExecutor, sessionId: string): Promise<void> {
  await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and revoked = false', [sessionId]);
}

export async function sessionExists(tx: SqlExecutor, sessionId: string): Promise<boolean> {
  const [row] = await tx.query('select 1 from auth.sessions where id = $1', [sessionId]);
  return row !== undefined;
}

/** Logout (global), LogoutSession (local) and LogoutAllExceptMe (others); refresh tokens go with their sessions. */
export async function endSessions(tx: SqlExecutor, scope: 'global' | 'local' | 'others', userId: string, sessionId: string | undefined): Promise<void> {
  if (scope === 'local' && sessionId) await tx.query('delete from auth.sessions where id = $1', [sessionId]);
  else if (scope === 'others' && sessionId) await tx.query('delete from auth.sessions where id <> $1 and user_id = $2', [sessionId, userId]);
  else await tx.query('delete from auth.sessions where user_id = $1', [userId]);
}
