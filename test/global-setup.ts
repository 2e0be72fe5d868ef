/**
 * Builds dist/ as `npm run build` does, and compiles the sources (and the crash server) once per run, so suites that spawn the service
 * start plain JavaScript in a fraction of a second instead of transpiling the whole app in every
 * child. Each run builds into its own folder under .test-build/ (two runs at once do not collide);
 * it sits inside the repository so the children resolve node_modules, and links supabase/ beside
 * src/ as dist/ has it.
 *
 * It also prepares each kind of database once — a PGlite dump and, with TEST_DATABASE_URL, a
 * PostgreSQL template database, for a project with this project's migrations and for a blank
 * one — so that every suite starts a copy (about 1 s) instead of running initdb and the
 * migrations again (about 5 s on PGlite).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { localSupabaseSnapshot } from '../src/local-supabase/server.js';
import {
  dropPostgresDatabase, pgliteDumpPath, postgresTemplateName, preparePostgresDatabase, PREPARED_ENV, type Project,
} from './support/lanes.js';

const PROJECTS: Project[] = ['project', 'blank'];

async function prepareDatabases(buildDir: string): Promise<() => Promise<void>> {
  for (const project of PROJECTS) {
    const dump = await localSupabaseSnapshot(project === 'blank' ? { migrationsDir: null } : {});
    await writeFile(pgliteDumpPath(buildDir, project), Buffer.from(await dump.arrayBuffer()));
  }
  // Suites run in forked workers, which inherit this environment.
  process.env[PREPARED_ENV.pgliteDumps] = buildDir;
  if (!process.env.TEST_DATABASE_URL) return async () => undefined;
  const prefix = `ims_template_${process.pid}`;
  for (const project of PROJECTS) await preparePostgresDatabase(postgresTemplateName(prefix, project), project);
  process.env[PREPARED_ENV.postgresTemplatePrefix] = prefix;
  return async () => {
    for (const project of PROJECTS) await dropPostgresDatabase(postgresTemplateName(prefix, project));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    buildDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = resolve('.');
  const buildDir = join(root, '.test-build', `run-${process.pid}`);
  await mkdir(buildDir, { recursive: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.test-build.json', '--outDir', buildDir], { stdio: 'inherit' });
  // dist/ as `npm run build` makes it: what the package's exports (ims-api/client) point at.
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  await symlink(join(root, 'supabase'), join(buildDir, 'supabase'));
  project.provide('buildDir', buildDir);
  const dropDatabases = await prepareDatabases(buildDir);
  return async () => {
    await dropDatabases();
    await rm(buildDir, { recursive: true, force: true });
  };
}
