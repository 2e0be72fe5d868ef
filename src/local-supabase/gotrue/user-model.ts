/** GoTrue's users (internal/models/user.go): the instance they belong to, id checks, and the lookups the endpoints share. */
import type { SqlExecutor } from '../database.js';
import { GotrueError } from './errors.js';

/** GoTrue's single instance: every row it writes carries this instance_id. */
export const INSTANCE_ID = '00000000-0000-0000-0000-000000000000';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** loadUser's check of a `{user_id}` path segment. */
export function checkUserId(id: string): string {
  if (!UUID.test(id)) throw new GotrueError(404, 'validation_failed', 'user_id must be an UUID');
  return id.toLowerCase();
}

export interface EmailUser {
  id: string;
  encrypted_password: string | null;
  banned: boolean;
  confirmed: boolean;
}

/** FindUserByEmailAndAudience: instance, lower-cased email, audience, not an SSO user. */
export async function findUserByEmailAndAudience(db: SqlExecutor, email: string, aud: string): Promise<EmailUser | undefined> {
  const [found] = await db.query<EmailUser>(
    `select id, encrypted_password, coalesce(banned_until > now(), false) as banned, email_confirmed_at is not null as confirmed
       from auth.users where instance_id = $1 and lower(email) = lower($2) and aud = $3 and is_sso_user = false`,
    [INSTANCE_ID, email, aud],
  );
  return found;
}
