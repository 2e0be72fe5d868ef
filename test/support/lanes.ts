/** The database lanes a suite runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { bootstrapSupabaseDatabase } from '../../src/local-supabase/bootstrap.js';
import { openPostgres } from '../../src/local-supabase/postgres-database.js';
import { startLocalSupabase, type LocalSupabase } from '../../src/local-supabase/server.js';

export type Lane = 'pglite' | 'postgres';

export const LANES: Lane[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

const run = promisify(execFile);

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * A fresh database on the PostgreSQL server of TEST_DATABASE_URL, made a Supabase database by our
 * bootstrap, with the migrations applied by the Supabase CLI itself (`supabase db push`).
 */
export async function createPostgresDatabase(options: { migrations: boolean } = { migrations: true }): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `ims_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const db = await openPostgres(url, 1);
  await bootstrapSupabaseDatabase(db);
  await db.close();
  if (options.migrations) {
    const pushUrl = new URL(url);
    pushUrl.searchParams.set('sslmode', 'disable');
    await run('npx', ['supabase', 'db', 'push', '--db-url', pushUrl.toString(), '--yes'], { timeout: 120_000 });
  }
  return {
    url,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/**
 * Starts the embedded local Supabase on a lane: in-memory PGlite, or a fresh PostgreSQL database;
 * `blank` leaves out this project's migrations (a fresh Supabase project, for other projects' fixtures).
 */
export async function startLaneSupabase(lane: Lane, options: { blank?: boolean } = {}): Promise<LocalSupabase> {
  const migrations = options.blank ? { migrationsDir: null } : {};
  if (lane === 'pglite') return startLocalSupabase(migrations);
  const database = await createPostgresDatabase({ migrations: !options.blank });
  const local = await startLocalSupabase({ dbUrl: database.url, ...migrations });
  return {
    ...local,
    async close() {
      await local.close();
      await database.drop();
    },
  };
}
