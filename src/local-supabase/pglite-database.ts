/** PGlite (Postgres compiled to WASM) in this process: a data directory, or memory (none, or `memory://`). */
import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import type { SqlDatabase, SqlExecutor } from './database.js';

function executor(target: PGlite | Transaction): SqlExecutor {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<Row>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

export async function openPglite(dataDir?: string): Promise<SqlDatabase> {
  if (dataDir && !dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir, { extensions: { citext, pgcrypto } });
  await pg.exec("SET TIME ZONE 'UTC'");
  const direct = executor(pg);
  return {
    engine: 'pglite',
    ...direct,
    transaction: (work) => pg.transaction((tx) => work(executor(tx))),
    close: () => pg.close(),
  };
}
