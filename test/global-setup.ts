/**
 * Builds dist/ as `npm run build` does, and compiles the sources (and the crash server) once per run, so suites that spawn the service
 * start plain JavaScript in a fraction of a second instead of transpiling the whole app in every
 * child. Each run builds into its own folder under .test-build/ (two runs at once do not collide);
 * it sits inside the repository so the children resolve node_modules, and links supabase/ beside
 * src/ as dist/ has it.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

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
  return () => rm(buildDir, { recursive: true, force: true });
}
