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

function sqlDatabase(pg: PGlite): SqlDatabase {
  return {
    engine: 'pglite',
    ...executor(pg),
    transaction: (work) => pg.transaction((tx) => work(executor(tx))),
    close: () => pg.close(),
  };
}

/** `snapshot`: a data directory dump (`pgliteSnapshot`) to start from instead of initdb, a few times faster. */
export async function openPglite(dataDir?: string, snapshot?: Blob): Promise<SqlDatabase> {
  if (dataDir && !dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir, { extensions: { citext, pgcrypto }, ...(snapshot ? { loadDataDir: snapshot } : {}) });
  await pg.exec("SET TIME ZONE 'UTC'");
  return sqlDatabase(pg);
}

/** A dump of a fresh in-memory database after `prepare`: many databases can then start from it. */
export async function pgliteSnapshot(prepare: (db: SqlDatabase) => Promise<void>): Promise<Blob> {
  const pg = await PGlite.create(undefined, { extensions: { citext, pgcrypto } });
  try {
    await pg.exec("SET TIME ZONE 'UTC'");
    await prepare(sqlDatabase(pg));
    return await pg.dumpDataDir('none');
  } finally {
    await pg.close();
  }
}
