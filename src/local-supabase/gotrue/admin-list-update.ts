/**
 * GoTrue's GET /admin/users (adminUsers: offset pagination with Link and X-Total-Count, filter,
 * sort) and PUT /admin/users/{id} (adminUserUpdate: email, password, metadata, email_confirm,
 * role, ban_duration).
 */
import { isSqlError, type SqlDatabase } from '../database.js';
import { GotrueError, notImplemented, userNotFound, validationFailed } from './errors.js';
import { parseGoDuration } from './go-duration.js';
import { checkPasswordStrength, hashPassword } from './password.js';
import { findUser, userJson } from './user-json.js';
import { INSTANCE_ID, checkUserId } from './user-model.js';

const DEFAULT_PER_PAGE = 50;

function pageParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw validationFailed(`Bad Pagination Parameters: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return Number(raw);
}

function sortOrder(query: URLSearchParams): string {
  const raw = query.get('sort');
  if (!raw) return 'created_at desc';
  const [field = '', direction = 'asc'] = raw.trim().split(/\s+/);
  if (field !== 'created_at') throw validationFailed(`Bad Sort Parameters: ${field} is not a valid sort field`);
  if (!['asc', 'desc'].includes(direction.toLowerCase())) throw validationFailed(`Bad Sort Parameters: ${direction} is not a valid sort direction`);
  return `created_at ${direction.toLowerCase()}`;
}

/** addPaginationHeaders: `next` while there are more pages, always `last`; the query re-encoded with sorted keys, as Go's url.Values.Encode does. */
function linkHeader(path: string, query: URLSearchParams, page: number, totalPages: number): string {
  const withPage = (n: number) => {
    const next = new URLSearchParams(query);
    next.set('page', String(n));
    next.sort();
    return `<${path}?${next.toString()}>`;
  };
  return `${totalPages > page ? `${withPage(page + 1)}; rel="next", ` : ''}${withPage(totalPages)}; rel="last"`;
}

export async function listUsers(db: SqlDatabase, aud: string, path: string, query: URLSearchParams) {
  const order = sortOrder(query);
  const page = Math.max(1, pageParam(query, 'page', 1));
  const perPage = pageParam(query, 'per_page', DEFAULT_PER_PAGE) || DEFAULT_PER_PAGE;
  const filter = query.get('filter') ?? '';
  const where = `instance_id = $1 and aud = $2${filter ? ` and (email like $3 or raw_user_meta_data->>'full_name' ilike $3)` : ''}`;
  const params: unknown[] = [INSTANCE_ID, aud, ...(filter ? [`%${filter}%`] : [])];
  return db.transaction(async (tx) => {
    const [count] = await tx.query<{ total: number }>(`select count(*)::int as total from auth.users where ${where}`, params);
    const ids = await tx.query<{ id: string }>(
      `select id from auth.users where ${where} order by ${order} limit $${params.length + 1} offset $${params.length + 2}`,
      [...params, perPage, (page - 1) * perPage],
    );
    const users = [];
    for (const { id } of ids) users.push(userJson((await findUser(tx, id))!, { withConfirmedAt: true }));
    const total = count!.total;
    return {
      body: { users, aud },
      headers: { Link: linkHeader(path, query, page, Math.ceil(total / perPage)), 'X-Total-Count': String(total) },
    };
  });
}

const asObject = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** `ban_duration` → the SQL for banned_until: an interval from now, or NULL for "none"/0. */
export function banUntil(banDuration: unknown): { milliseconds: number } | undefined {
  if (banDuration === undefined || banDuration === null || banDuration === '') return undefined;
  if (typeof banDuration !== 'string') throw new GotrueError(400, 'bad_json', 'Could not parse request body as JSON: ban_duration must be a string');
  if (banDuration === 'none') return { milliseconds: 0 };
  try {
    return { milliseconds: parseGoDuration(banDuration) };
  } catch (error) {
    throw validationFailed(`invalid format for ban duration: ${(error as Error).message}`);
  }
}

export async function updateUser(db: SqlDatabase, id: string, params: Record<string, unknown>, validateEmail: (email: string) => string) {
  const requestedId = checkUserId(id);
  if (typeof params.phone === 'string' && params.phone !== '') {
    throw notImplemented('Phone numbers');
  }
  const email = typeof params.email === 'string' && params.email !== '' ? validateEmail(params.email) : undefined;
  const ban = banUntil(params.ban_duration);
  const password = typeof params.password === 'string' ? params.password : undefined;
  if (password !== undefined) checkPasswordStrength(password);
  const encrypted = password !== undefined ? await hashPassword(password) : undefined;
  const confirm = params.email_confirm === true;
  const appMetadata = asObject(params.app_metadata);
  const userMetadata = asObject(params.user_metadata);
  const role = typeof params.role === 'string' && params.role !== '' ? params.role : undefined;

  try {
    return await db.transaction(async (tx) => {
    const existing = await findUser(tx, requestedId);
    if (!existing) throw userNotFound();
    const userId = existing.id;
    if (role) await tx.query('update auth.users set role = $2 where id = $1', [userId, role]);
    if (confirm) {
      await tx.query(
        `update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()),
           raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb where id = $1`,
        [userId],
      );
    }
    if (encrypted) await tx.query('update auth.users set encrypted_password = $2 where id = $1', [userId, encrypted]);
    if (email) {
      await tx.query(
        `update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text, 'email_verified', $3::boolean), updated_at = now()
          where user_id = $1 and provider = 'email'`,
        [userId, email, confirm],
      );
      await tx.query('update auth.users set email = $2 where id = $1', [userId, email]);
    }
    // UpdateAppMetaData/UpdateUserMetaData: merge; a null value deletes the key.
    for (const [column, patch] of [['raw_app_meta_data', appMetadata], ['raw_user_meta_data', userMetadata]] as const) {
      if (!patch) continue;
      const nulls = Object.keys(patch).filter((key) => patch[key] === null);
      const values = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== null));
      await tx.query(`update auth.users set ${column} = (coalesce(${column}, '{}'::jsonb) - $3::text[]) || $2::jsonb where id = $1`, [userId, JSON.stringify(values), nulls]);
    }
    if (ban) {
      await tx.query(
        `update auth.users set banned_until = case when $2::float8 = 0 then null else now() + make_interval(secs => $2::float8 / 1000) end where id = $1`,
        [userId, ban.milliseconds],
      );
    }
    await tx.query('update auth.users set updated_at = now() where id = $1', [userId]);
    return userJson((await findUser(tx, userId))!, { withConfirmedAt: true });
    });
  } catch (error) {
    if (isSqlError(error)) throw new GotrueError(500, 'unexpected_failure', 'Database error updating user');
    throw error;
  }
}
