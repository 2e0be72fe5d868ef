/** A PostgreSQL server reached through a `pg` pool (the Debian PostgreSQL 15 lane, or any URL). */
import pg from 'pg';
import type { SqlDatabase, SqlExecutor } from './database.js';

export async function openPostgres(url: string, maxConnections = 10): Promise<SqlDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, options: '-c TimeZone=UTC' });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on the next checkout.
  });
  const probe = await pool.connect();
  probe.release();
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
