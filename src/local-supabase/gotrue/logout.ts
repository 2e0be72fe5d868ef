/** GoTrue's POST /logout (internal/api/logout.go): ends the user's sessions — all (global), this one (local) or the others. */
import type { SqlDatabase } from '../database.js';
import type { Authenticated } from './authentication.js';
import { validationFailed } from './errors.js';
import { endSessions } from './session-model.js';

const SCOPES = ['global', 'local', 'others'] as const;

export async function logout(db: SqlDatabase, authenticated: Authenticated, scopeParam: string | null): Promise<void> {
  const scope = scopeParam === null || scopeParam === '' ? 'global' : scopeParam;
  if (!(SCOPES as readonly string[]).includes(scope)) throw validationFailed(`Unsupported logout scope "${scope}"`);
  await endSessions(db, scope as (typeof SCOPES)[number], authenticated.user.id, authenticated.sessionId);
}
