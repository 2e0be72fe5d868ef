/**
 * The database lanes a suite runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set.
 * A test run prepares each kind of database once (test/global-setup.ts: a PGlite dump, a
 * PostgreSQL template database) and every suite starts a fresh copy of it; outside a test run
 * (benchmarks) each database is made from scratch.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { bootstrapSupabaseDatabase } from '../../src/local-supabase/bootstrap.js';
import { openPostgres } from '../../src/local-supabase/postgres-database.js';
import { startLocalSupabase, type LocalSupabase } from '../../src/local-supabase/server.js';

export type Lane = 'pglite' | 'postgres';

export const LANES: Lane[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** A project database, with this project's migrations, or a blank one (a fresh Supabase project). */
export type Project = 'project' | 'blank';

/** Where global-setup left its prepared databases: a folder of PGlite dumps, and template database names. */
export const PREPARED_ENV = { pgliteDumps: 'IMS_TEST_PGLITE_DUMPS', postgresTemplatePrefix: 'IMS_TEST_PG_TEMPLATE_PREFIX' } as const;

export const pgliteDumpPath = (dir: string, project: Project) => join(dir, `pglite-${project}.tar`);
export const postgresTemplateName = (prefix: string, project: Project) => `${prefix}_${project}`;

const run = promisify(execFile);

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL! });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/**
 * Makes database `name` on the PostgreSQL server of TEST_DATABASE_URL a Supabase database by our
 * bootstrap, with the migrations applied by the Supabase CLI itself (`supabase db push`).
 */
export async function preparePostgresDatabase(name: string, project: Project): Promise<string> {
  await adminQuery(`create database ${name}`);
  const url = withDatabase(process.env.TEST_DATABASE_URL!, name);
  const db = await openPostgres(url, 1);
  await bootstrapSupabaseDatabase(db);
  await db.close();
  if (project === 'project') {
    const pushUrl = new URL(url);
    pushUrl.searchParams.set('sslmode', 'disable');
    await run('npx', ['supabase', 'db', 'push', '--db-url', pushUrl.toString(), '--yes'], { timeout: 120_000 });
  }
  return url;
}

export const dropPostgresDatabase = (name: string) => adminQuery(`drop database if exists ${name} with (force)`);

/** A fresh database on the PostgreSQL server of TEST_DATABASE_URL: a copy of the prepared template, or made from scratch. */
export async function createPostgresDatabase(project: Project = 'project'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ims_test_${randomBytes(6).toString('hex')}`;
  const prefix = process.env[PREPARED_ENV.postgresTemplatePrefix];
  const url = prefix
    ? (await adminQuery(`create database ${name} template ${postgresTemplateName(prefix, project)}`), withDatabase(process.env.TEST_DATABASE_URL!, name))
    : await preparePostgresDatabase(name, project);
  return { url, drop: () => dropPostgresDatabase(name) };
}

async function pgliteDump(project: Project): Promise<Blob | undefined> {
  const dir = process.env[PREPARED_ENV.pgliteDumps];
  return dir ? new Blob([await readFile(pgliteDumpPath(dir, project))]) : undefined;
}

/**
 * Starts the embedded local Supabase on a lane: in-memory PGlite, or a fresh PostgreSQL database;
 * `blank` leaves out this project's migrations and config (a fresh Supabase project, for other
 * projects' fixtures); `configToml` stands in for the project's supabase/config.toml. Its local
 * inbox (Mailpit's API) listens on a free port.
 */
export async function startLaneSupabase(lane: Lane, options: { blank?: boolean; configToml?: string } = {}): Promise<LocalSupabase> {
  const project: Project = options.blank ? 'blank' : 'project';
  const projectOptions = {
    inboxPort: 0,
    ...(options.blank ? { migrationsDir: null } : {}),
    ...(options.configToml ? { configToml: options.configToml } : {}),
  };
  if (lane === 'pglite') {
    const snapshot = await pgliteDump(project);
    return startLocalSupabase({ ...projectOptions, ...(snapshot ? { snapshot } : {}) });
  }
  const database = await createPostgresDatabase(project);
  const local = await startLocalSupabase({ dbUrl: database.url, ...projectOptions });
  return {
    ...local,
    async close() {
      await local.close();
      await database.drop();
    },
  };
}
