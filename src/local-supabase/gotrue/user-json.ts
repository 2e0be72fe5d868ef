/** GoTrue's user JSON (models.User field order; null timestamps omitted) built from auth.users rows. */
import type { SqlExecutor } from '../database.js';

const ts = (column: string, alias = column) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ${alias}`;

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  phone: string | null;
  app_metadata: Record<string, unknown> | null;
  user_metadata: Record<string, unknown> | null;
  is_anonymous: boolean;
  email_confirmed_at: string | null;
  phone_confirmed_at: string | null;
  confirmation_sent_at: string | null;
  confirmed_at: string | null;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
  banned_until: string | null;
  deleted_at: string | null;
  identities: IdentityRow[];
}

interface IdentityRow {
  identity_id: string;
  id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
  email: string | null;
}

const USER_COLUMNS = `u.id, u.aud, u.role, u.email, u.phone, u.raw_app_meta_data as app_metadata,
  u.raw_user_meta_data as user_metadata, u.is_anonymous, ${ts('u.email_confirmed_at', 'email_confirmed_at')},
  ${ts('u.phone_confirmed_at', 'phone_confirmed_at')}, ${ts('u.confirmation_sent_at', 'confirmation_sent_at')}, ${ts('u.confirmed_at', 'confirmed_at')},
  ${ts('u.last_sign_in_at', 'last_sign_in_at')}, ${ts('u.created_at', 'created_at')}, ${ts('u.updated_at', 'updated_at')},
  ${ts('u.banned_until', 'banned_until')}, ${ts('u.deleted_at', 'deleted_at')},
  coalesce((select json_agg(json_build_object(
      'identity_id', i.id, 'id', i.provider_id, 'user_id', i.user_id, 'identity_data', i.identity_data,
      'provider', i.provider,
      'last_sign_in_at', to_char(i.last_sign_in_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      'created_at', to_char(i.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      'updated_at', to_char(i.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      'email', i.email) order by i.created_at)
    from auth.identities i where i.user_id = u.id), '[]'::json) as identities`;

export async function findUser(tx: SqlExecutor, id: string): Promise<UserRow | undefined> {
  const [row] = await tx.query<UserRow>(`select ${USER_COLUMNS} from auth.users u where u.id = $1`, [id]);
  return row;
}

/** Go marshals time.Time as RFC 3339 with trailing zeros of the fraction dropped. */
function goTime(value: string | null): string | undefined {
  if (value === null) return undefined;
  return value.replace(/\.?0+Z$/, 'Z');
}

export function userJson(row: UserRow, options: { withConfirmedAt: boolean }): Record<string, unknown> {
  const user: Record<string, unknown> = {
    id: row.id,
    aud: row.aud ?? '',
    role: row.role ?? '',
    email: row.email ?? '',
    email_confirmed_at: goTime(row.email_confirmed_at),
    phone: row.phone ?? '',
    phone_confirmed_at: goTime(row.phone_confirmed_at),
    confirmation_sent_at: goTime(row.confirmation_sent_at),
    confirmed_at: options.withConfirmedAt ? goTime(row.confirmed_at) : undefined,
    last_sign_in_at: goTime(row.last_sign_in_at),
    app_metadata: row.app_metadata ?? {},
    user_metadata: row.user_metadata ?? {},
    identities: row.identities.map((identity) => ({
      ...identity,
      last_sign_in_at: goTime(identity.last_sign_in_at),
      created_at: goTime(identity.created_at),
      updated_at: goTime(identity.updated_at),
    })),
    created_at: goTime(row.created_at),
    updated_at: goTime(row.updated_at),
    banned_until: goTime(row.banned_until),
    deleted_at: goTime(row.deleted_at),
    is_anonymous: row.is_anonymous,
  };
  return JSON.parse(JSON.stringify(user)) as Record<string, unknown>;
}
