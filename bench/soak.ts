/**
 * `npm run soak`: the service as a child process on an embedded PGlite directory, several clients
 * registering with known keys, and the service SIGKILLed at random moments and restarted — then
 * every key is retried to a definitive answer, the recovery sweep runs, and the invariants are
 * checked in SQL and printed. Loopback only, bounded in kills and time; exits non-zero on any
 * violation. `--kills N`, `--clients N`, `--registrations N` (defaults 20, 4, 40).
 * `--postgres URL --instances N`: N instances on one fresh PostgreSQL database (made on the server
 * of URL and dropped after), each key's tries alternating between them, one killed at a time.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlDatabase } from '../src/local-supabase/database.js';
import { openPglite } from '../src/local-supabase/pglite-database.js';
import { openPostgres } from '../src/local-supabase/postgres-database.js';
import { freshDatabase } from './fresh-database.js';
import { signalAndWait, startNode } from './start-node.js';

const ROOT = new URL('../', import.meta.url);
const BUDGET_MS = 10 * 60_000;

export interface SoakOptions {
  kills: number;
  clients: number;
  registrations: number;
  /** A PostgreSQL server URL: run on a fresh database there instead of PGlite. */
  postgres?: string;
  /** Service instances on the one database (more than one needs `postgres`). */
  instances?: number;
  /** Lines of progress; silent when absent. */
  log?: (line: string) => void;
}

export interface SoakReport {
  kills: number;
  registered: number;
  violations: string[];
  checks: Record<string, number>;
}

interface Job {
  key: string;
  body: { name: string; subdomain: string; directorEmail: string; directorPassword: string; directorFullName: string };
  answer?: { status: number; institutionId?: string; directorId?: string };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The built service, logging to `logFile`, once it listens. */
async function startService(env: Record<string, string>, logFile: string): Promise<ChildProcess> {
  return (await startNode([new URL('dist/server.js', ROOT).pathname], env, { logFile })).child;
}

/** Posts until the answer is definitive (201, or a 4xx that is not "try again"); transport failures and 5xx are retried. */
async function settle(job: Job, url: (attempt: number) => string, deadline: number): Promise<void> {
  let attempt = 0;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url(attempt++)}/api/v1/institutions/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': job.key },
        body: JSON.stringify(job.body),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json().catch(() => ({}))) as { code?: string; institution?: { id: string }; director?: { id: string } };
      const again = response.status >= 500 || response.status === 429 || (response.status === 409 && ['idempotency_key_in_use', 'conflict_pending'].includes(body.code ?? ''));
      if (!again) {
        job.answer = { status: response.status, ...(body.institution ? { institutionId: body.institution.id, directorId: body.director!.id } : {}) };
        return;
      }
    } catch {
      // The service was killed mid-request: the same key goes again.
    }
    await sleep(100 + Math.random() * 200);
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const instances = options.instances ?? 1;
  if (instances > 1 && !options.postgres) throw new Error('more than one instance needs --postgres: PGlite has one owner');
  const work = await mkdtemp(join(tmpdir(), 'ims-soak-'));
  const dataDir = join(work, 'pglite');
  const logFile = join(work, 'service.log');
  const database = options.postgres ? await freshDatabase(options.postgres, 'ims_soak') : undefined;
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort()));
  const envOf = (port: number) => ({
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...(database ? { LOCAL_SUPABASE_DB_URL: database.url } : { LOCAL_SUPABASE_DATA_DIR: dataDir }),
    LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0',
    REGISTER_RATE_LIMIT_PER_MINUTE: '0',
    IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '4',
    SUPABASE_TIMEOUT_MS: '1000',
    REQUEST_DEADLINE_MS: '2500',
    RECOVERY_INTERVAL_SECONDS: '2',
  });
  // Each key's tries go round the instances.
  const url = (attempt: number) => `http://127.0.0.1:${ports[attempt % instances]}`;
  const deadline = Date.now() + BUDGET_MS;
  const tag = randomUUID().slice(0, 8);
  const jobs: Job[] = Array.from({ length: options.registrations }, (_, i) => ({
    key: `soak-${tag}-${i}`,
    body: {
      name: `Soak School ${i}`,
      subdomain: `soak-${tag}-${i}`,
      directorEmail: `soak-${tag}-${i}@example.com`,
      directorPassword: `Soak-Secret-${tag}-${i}!`,
      directorFullName: `Director ${i}`,
    },
  }));
  let kills = 0;
  // One at a time: the first applies the migrations, the others find them applied.
  const services: ChildProcess[] = [];
  for (const port of ports) services.push(await startService(envOf(port), logFile));
  try {
    const queue = [...jobs];
    const clients = Array.from({ length: options.clients }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await settle(job, url, deadline);
    });
    while (kills < options.kills && Date.now() < deadline) {
      await sleep(200 + Math.random() * 800);
      const victim = Math.floor(Math.random() * instances);
      await signalAndWait(services[victim]!, 'SIGKILL');
      kills++;
      log(`kill ${kills}/${options.kills} (instance ${victim + 1} of ${instances})`);
      services[victim] = await startService(envOf(ports[victim]!), logFile);
    }
    await Promise.all(clients);
    for (const job of jobs.filter((j) => !j.answer)) await settle(job, url, deadline);
    await sleep(3_000);
  } finally {
    for (const service of services) await signalAndWait(service, 'SIGTERM');
  }
  try {
    return await checkInvariants(database ? await openPostgres(database.url, 1) : await openPglite(dataDir), logFile, jobs, kills);
  } finally {
    await database?.drop();
    await rm(work, { recursive: true, force: true });
  }
}

async function checkInvariants(db: SqlDatabase, logFile: string, jobs: Job[], kills: number): Promise<SoakReport> {
  const violations: string[] = [];
  try {
    const count = async (sql: string, params: unknown[] = []) => Number((await db.query<{ n: number }>(`select count(*)::int as n from (${sql}) x`, params))[0]!.n);
    for (const job of jobs) {
      if (job.answer?.status !== 201) {
        violations.push(`key ${job.key} ended ${job.answer?.status ?? 'unanswered'}, not 201`);
        continue;
      }
      const [row] = await db.query<{ institutions: number; users: number; profiles: number; finished: boolean }>(
        `select (select count(*)::int from public.institutions where id = $1 and status = 'trial' and subdomain = $3) as institutions,
                (select count(*)::int from auth.users where id = $2) as users,
                (select count(*)::int from public.user_profiles where user_id = $2 and institution_id = $1) as profiles,
                exists (select from public.idempotency_keys where key = $4 and recovery_point = 'finished') as finished`,
        [job.answer.institutionId, job.answer.directorId, job.body.subdomain, job.key],
      );
      if (!(row!.institutions === 1 && row!.users === 1 && row!.profiles === 1 && row!.finished)) {
        violations.push(`key ${job.key}: ${JSON.stringify(row)} (want one trial institution, one user, one profile, a finished key)`);
      }
    }
    const checks = {
      'institutions without a director profile': await count(`select i.id from public.institutions i where not exists (select from public.user_profiles p where p.institution_id = i.id)`),
      'auth users without a profile': await count(`select u.id from auth.users u where not exists (select from public.user_profiles p where p.user_id = u.id)`),
      'profiles without an institution or user': await count(`select p.user_id from public.user_profiles p where not exists (select from public.institutions i where i.id = p.institution_id) or not exists (select from auth.users u where u.id = p.user_id)`),
      'pending institutions': await count(`select id from public.institutions where status = 'pending'`),
      'unfinished keys': await count(`select id from public.idempotency_keys where recovery_point = 'institution_created'`),
      'rows holding a password': 0,
      'log lines holding a password': 0,
    };
    const passwords = jobs.map((job) => job.body.directorPassword);
    const tables = await db.query<{ name: string }>(`select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname in ('public', 'auth')`);
    for (const { name } of tables) {
      const rows = await db.query<{ text: string }>(`select t::text as text from ${name} t`);
      checks['rows holding a password'] += rows.filter((r) => passwords.some((p) => r.text.includes(p))).length;
    }
    const logText = await readFile(logFile, 'utf8').catch(() => '');
    checks['log lines holding a password'] = logText.split('\n').filter((line) => passwords.some((p) => line.includes(p))).length;
    for (const [check, n] of Object.entries(checks)) if (n !== 0) violations.push(`${check}: ${n}`);
    return { kills, registered: jobs.filter((j) => j.answer?.status === 201).length, violations, checks };
  } finally {
    await db.close();
  }
}

const invokedDirectly = process.argv[1] && new URL(import.meta.url).pathname === process.argv[1];
if (invokedDirectly) {
  const flag = (name: string, fallback: number) => {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? Number(process.argv[at + 1]) : fallback;
  };
  const postgresAt = process.argv.indexOf('--postgres');
  const postgres = postgresAt >= 0 ? (process.argv[postgresAt + 1] ?? process.env.TEST_DATABASE_URL) : undefined;
  const report = await runSoak({
    kills: flag('kills', 20),
    clients: flag('clients', 4),
    registrations: flag('registrations', 40),
    instances: flag('instances', 1),
    ...(postgres ? { postgres } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`\nkills: ${report.kills}, registrations answered 201: ${report.registered}\n`);
  for (const [check, n] of Object.entries(report.checks)) process.stdout.write(`${n === 0 ? 'ok  ' : 'FAIL'} ${check}: ${n}\n`);
  for (const violation of report.violations) process.stdout.write(`FAIL ${violation}\n`);
  process.exit(report.violations.length === 0 ? 0 : 1);
}
