/**
 * Applies supabase/migrations/*.sql in version order, recording each in the Supabase CLI's own
 * history table, so a restart applies only new files and `supabase db push` agrees on what ran.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlDatabase } from './database.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));

// The same DDL as the CLI's pkg/migration/history.go, so either tool may create the table first.
const historyTable = `
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;`;

interface MigrationFile {
  version: string;
  name: string;
  path: string;
}

async function listMigrations(dir: string): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((file) => /^\d+_.+\.sql$/.test(file)).sort();
  return files.map((file) => {
    const [version, ...rest] = file.slice(0, -'.sql'.length).split('_');
    return { version: version!, name: rest.join('_'), path: join(dir, file) };
  });
}

/** Returns the versions it applied (empty when the database was up to date). */
export async function applyMigrations(db: SqlDatabase, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(historyTable);
  const done = new Set(
    (await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).map(
      (row) => row.version,
    ),
  );
  const applied: string[] = [];
  for (const migration of await listMigrations(dir)) {
    if (done.has(migration.version)) continue;
    const sql = await readFile(migration.path, 'utf8');
    await db.transaction(async (tx) => {
      await tx.exec(sql);
      await tx.query(
        'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
        [migration.version, migration.name, [sql]],
      );
    });
    applied.push(migration.version);
  }
  return applied;
}
