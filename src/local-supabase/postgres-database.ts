/** A PostgreSQL server reached through a `pg` pool (the Debian PostgreSQL 15 lane, or any URL). */
import pg from 'pg';
import type { SqlDatabase, SqlExecutor } from './database.js';

const CONNECT_TIMEOUT_MS = 5_000;

/** The server could not be reached or refused us; the message says why, without the password. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

/** The URL as it may be shown: without its password. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

function whyUnreachable(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'ECONNREFUSED') return 'connection refused (is PostgreSQL running on that host and port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === '3D000') return `${message} (create it first, e.g. createdb)`;
  if (/timeout/i.test(message ?? '')) return `no answer within ${CONNECT_TIMEOUT_MS / 1000} s`;
  return message ?? String(error);
}

export async function openPostgres(url: string, maxConnections = 10): Promise<SqlDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    options: '-c TimeZone=UTC',
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on the next checkout.
  });
  try {
    const probe = await pool.connect();
    probe.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnreachableError(`cannot connect to ${redactedUrl(url)}: ${whyUnreachable(error)}`);
  }
  const query: SqlExecutor['query'] = async <Row>(sql: string, params: readonly unknown[] = []) =>
    (await pool.query(sql, params as unknown[])).rows as Row[];
  return {
    engine: 'postgres',
    query,
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async <Row>(sql: string, params: readonly unknown[] = []) =>
            (await client.query(sql, params as unknown[])).rows as Row[],
          exec: async (sql: string) => {
            await client.query(sql);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
