/** GoTrue's admin user endpoints (internal/api/admin.go): create, get and delete email users. */
import { randomBytes, randomUUID } from 'node:crypto';
import { isSqlError, type SqlDatabase } from '../database.js';
import { GotrueError, notImplemented, userNotFound, validationFailed } from './errors.js';
import { banUntil } from './admin-list-update.js';
import { hashPassword } from './password.js';
import { findUser, userJson } from './user-json.js';
import { INSTANCE_ID, UUID, checkUserId } from './user-model.js';

// badoux/checkmail's pattern, which GoTrue's validateEmail uses.
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export interface CreateUserParams {
  id?: unknown;
  aud?: unknown;
  role?: unknown;
  email?: unknown;
  phone?: unknown;
  password?: unknown;
  password_hash?: unknown;
  email_confirm?: unknown;
  ban_duration?: unknown;
  user_metadata?: unknown;
  app_metadata?: unknown;
}

export function validateEmail(email: string): string {
  if (email === '') throw validationFailed('An email address is required');
  if (email.length > 255) throw validationFailed('An email address is too long');
  if (!EMAIL.test(email)) throw validationFailed('Unable to validate email address: invalid format');
  return email.toLowerCase();
}

function validateId(id: unknown): string {
  if (id === undefined || id === null || id === '') return randomUUID();
  if (typeof id !== 'string' || !UUID.test(id)) throw validationFailed('ID must conform to the uuid v4 format');
  if (/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(id)) throw validationFailed('ID cannot be a nil uuid');
  return id.toLowerCase();
}

const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** Merges like GoTrue's UpdateAppMetaData: a null value deletes the key. */
function mergeMetadata(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export async function createUser(
  db: SqlDatabase,
  params: CreateUserParams,
  defaults: { aud: string; role: string },
): Promise<Record<string, unknown>> {
  const hasEmail = typeof params.email === 'string' && params.email !== '';
  const hasPhone = typeof params.phone === 'string' && params.phone !== '';
  if (!hasEmail && !hasPhone) throw validationFailed('Cannot create a user without either an email or phone');
  if (hasPhone) {
    throw notImplemented('Phone users');
  }
  const email = validateEmail(params.email as string);
  const aud = typeof params.aud === 'string' && params.aud ? params.aud : defaults.aud;
  const [duplicate] = await db.query(
    // IsDuplicatedEmail: identities by email, then users by (instance_id, lower(email)) and aud,
    // as GoTrue asks, so users_instance_id_email_idx serves it however many users there are.
    `select 1 from auth.identities where email = $1
     union all select 1 from auth.users where instance_id = $3 and lower(email) = $1 and aud = $2 limit 1`,
    [email, aud, INSTANCE_ID],
  );
  if (duplicate) {
    throw new GotrueError(422, 'email_exists', 'A user with this email address has already been registered');
  }
  if (params.password && params.password_hash) {
    throw validationFailed('Only a password or a password hash should be provided');
  }
  if (params.password_hash) {
    throw notImplemented('password_hash');
  }
  const id = validateId(params.id);
  const password = typeof params.password === 'string' && params.password !== ''
    ? params.password
    : randomBytes(48).toString('base64url').slice(0, 64);
  const encrypted = await hashPassword(password);
  const appMetadata = mergeMetadata({ provider: 'email', providers: ['email'] }, asObject(params.app_metadata));
  const confirm = params.email_confirm === true;
  const userMetadata = confirm
    ? { ...asObject(params.user_metadata), email_verified: true }
    : asObject(params.user_metadata);
  const identityData = { sub: id, email, email_verified: false, phone_verified: false };
  const ban = banUntil(params.ban_duration);

  try {
    return await db.transaction(async (tx) => {
      await tx.query(
        `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
           raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, case when $7::boolean then now() end, $8::jsonb, $9::jsonb, now(), now())`,
        [INSTANCE_ID, id, aud, typeof params.role === 'string' && params.role ? params.role : defaults.role,
          email, encrypted, confirm, JSON.stringify(appMetadata), JSON.stringify(userMetadata)],
      );
      await tx.query(
        `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
         values ($1::text, $1::uuid, $2::jsonb, 'email', now(), now(), now())`,
        [id, JSON.stringify(identityData)],
      );
      if (ban && ban.milliseconds !== 0) {
        await tx.query('update auth.users set banned_until = now() + make_interval(secs => $2::float8 / 1000) where id = $1', [id, ban.milliseconds]);
      }
      const user = await findUser(tx, id);
      return userJson(user!, { withConfirmedAt: false });
    });
  } catch (error) {
    if (isSqlError(error)) throw new GotrueError(500, 'unexpected_failure', 'Database error creating new user');
    throw error;
  }
}

export async function getUser(db: SqlDatabase, id: string): Promise<Record<string, unknown>> {
  const user = await db.transaction((tx) => findUser(tx, checkUserId(id)));
  if (!user) throw userNotFound();
  return userJson(user, { withConfirmedAt: true });
}

export async function deleteUser(db: SqlDatabase, id: string, softDelete: boolean): Promise<void> {
  if (softDelete) {
    throw notImplemented('Soft deletion');
  }
  let deleted: unknown[];
  try {
    deleted = await db.query('delete from auth.users where id = $1 returning id', [checkUserId(id)]);
  } catch (error) {
    // adminUserDelete: tx.Destroy's error (a trigger's refusal, a full disk) becomes its own 500.
    if (isSqlError(error)) throw new GotrueError(500, 'unexpected_failure', 'Database error deleting user');
    throw error;
  }
  if (deleted.length === 0) throw userNotFound();
}
