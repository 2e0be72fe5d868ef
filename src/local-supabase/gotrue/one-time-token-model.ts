/**
 * GoTrue's one-time tokens (internal/models/one_time_token.go, table auth.one_time_tokens): one
 * per user and token type, holding the hash a link or code is checked against.
 */
import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../database.js';

export type OneTimeTokenType = 'confirmation_token' | 'recovery_token';

/** CreateOneTimeToken: replaces the user's token of that type; relates_to is the lower-cased address. */
export async function createOneTimeToken(tx: SqlExecutor, userId: string, relatesTo: string, tokenHash: string, type: OneTimeTokenType): Promise<void> {
  await tx.query('delete from auth.one_time_tokens where token_type = $1 and user_id = $2', [type, userId]);
  await tx.query(
    `insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
     values ($1, $2, $3, $4, $5, now(), now())`,
    [randomUUID(), userId, type, tokenHash, relatesTo.toLowerCase()],
  );
}

/** FindOneTimeToken's user: the id of the user whose token of one of `types` has this hash. */
export async function findUserIdByOneTimeToken(tx: SqlExecutor, tokenHash: string, types: OneTimeTokenType[]): Promise<string | undefined> {
  const [row] = await tx.query<{ user_id: string }>(
    'select user_id from auth.one_time_tokens where token_type::text = any(string_to_array($1, \',\')) and token_hash = $2 limit 1',
    [types.join(','), tokenHash],
  );
  return row?.user_id;
}

/** ClearAllOneTimeTokensForUser. */
export async function clearOneTimeTokens(tx: SqlExecutor, userId: string): Promise<void> {
  await tx.query('delete from auth.one_time_tokens where user_id = $1', [userId]);
}
