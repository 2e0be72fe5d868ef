/**
 * The service as it runs, for tests: the embedded local Supabase on a lane, the app talking to it
 * over real HTTP through a FaultyFetch (and, for suites that break sockets, a FaultProxy on
 * loopback), and SQL to assert what the database holds.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { pino } from 'pino';
import supertest from 'supertest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { SqlExecutor } from '../../src/local-supabase/database.js';
import type { LocalSupabase } from '../../src/local-supabase/server.js';
import type { RegistrationDeps } from '../../src/registration/register-institution.js';
import { assembleApp, connectSupabase } from '../../src/service.js';
import { FaultyFetch } from './fault-fetch.js';
import { FaultProxy } from './fault-proxy.js';
import { startLaneSupabase, type Lane } from './lanes.js';

/** The settings that point the service at a separately running (here: embedded) Supabase. */
export function supabaseEnv(local: LocalSupabase): Record<string, string> {
  return {
    SUPABASE_URL: local.url,
    SUPABASE_SERVICE_ROLE_KEY: local.serviceRoleKey,
    SUPABASE_ANON_KEY: local.anonKey,
    SUPABASE_JWT_SECRET: local.jwtSecret,
    // Its tokens' issuer, also when the service reaches it through a fault proxy at another address.
    SUPABASE_JWT_ISSUER: `${local.url}/auth/v1`,
    IDEMPOTENCY_SECRET: 'test-secret-test-secret-test-secret-0123',
  };
}

export const FAST_SAGA_POLICY = {
  step: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  compensation: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
};

export interface Harness<Proxy extends FaultProxy | undefined = undefined> extends Instance<Proxy> {
  local: LocalSupabase;
  /** A second instance of the service on the same database, as a scaled-out deployment runs. */
  anotherInstance(): Promise<Instance<Proxy>>;
  state(): Promise<DatabaseState>;
  close(): Promise<void>;
}

export interface DatabaseState {
  institutions: { id: string; subdomain: string; status: string }[];
  users: { id: string; email: string; registration_id: string | null }[];
  profiles: { user_id: string; institution_id: string }[];
  keys: { key: string; recovery_point: string; locked: boolean; institution_id: string; director_user_id: string; result: unknown }[];
}

/** One instance of the service over a running Supabase: its own fault fetch (and fault proxy) and app. */
export interface Instance<Proxy extends FaultProxy | undefined = FaultProxy | undefined> {
  /** Faults at the HTTP boundary: the fetch given to supabase-js. */
  faults: FaultyFetch;
  /** Faults on the socket, between the service and Supabase: only where asked for (a hop costs CPU under load). */
  proxy: Proxy;
  app: Express;
  deps: RegistrationDeps;
  register(body: object, key?: string | null): supertest.Test;
}

async function startInstance(local: LocalSupabase, env: Record<string, string>, logs: string[] | undefined, socketFaults: boolean): Promise<Instance> {
  const faults = new FaultyFetch();
  const proxy = socketFaults ? await FaultProxy.start(local.url, { lateBodyMs: 0 }) : undefined;
  const config = loadConfig({
    ...supabaseEnv(local),
    ...(proxy ? { SUPABASE_URL: proxy.url } : {}),
    REGISTER_RATE_LIMIT_PER_MINUTE: '0',
    // Generous, so a busy machine does not turn calls into timeouts; fault suites set their own.
    SUPABASE_TIMEOUT_MS: '5000',
    ...env,
  });
  const logger = logs
    ? createLogger('trace', { write: (line: string) => void logs.push(line) })
    : pino({ level: 'silent' });
  if (proxy) proxy.lateBodyMs = config.SUPABASE_TIMEOUT_MS + 250;
  const connection = await connectSupabase(config, logger, { fetch: faults.fetch });
  const { app, deps } = assembleApp(config, connection, logger, FAST_SAGA_POLICY);
  return {
    faults,
    proxy,
    app,
    deps,
    register(body, key = randomUUID()) {
      const request = supertest(app).post('/api/v1/institutions/register').set('Content-Type', 'application/json');
      return (key === null ? request : request.set('Idempotency-Key', key)).send(JSON.stringify(body));
    },
  };
}

async function start(lane: Lane, env: Record<string, string>, logs: string[] | undefined, socketFaults: boolean): Promise<Harness<FaultProxy | undefined>> {
  const local = await startLaneSupabase(lane);
  const instance = await startInstance(local, env, logs, socketFaults);
  const others: Instance[] = [];
  return {
    local,
    ...instance,
    async anotherInstance() {
      const other = await startInstance(local, env, logs, socketFaults);
      others.push(other);
      return other;
    },
    state: () => databaseState(local.db),
    async close() {
      for (const { proxy } of [instance, ...others]) await proxy?.close();
      await local.close();
    },
  };
}

/** `logs`, when given, receives every log line the service writes, at trace level. */
export const startHarness = (lane: Lane, env: Record<string, string> = {}, logs?: string[]) =>
  start(lane, env, logs, false) as Promise<Harness>;

/** A harness whose instances reach Supabase through a FaultProxy, for suites that break sockets. */
export const startSocketFaultHarness = (lane: Lane, env: Record<string, string> = {}) =>
  start(lane, env, undefined, true) as Promise<Harness<FaultProxy>>;

/** What a registration leaves in the database, read through SQL. */
export async function databaseState(db: SqlExecutor): Promise<DatabaseState> {
  return {
    institutions: await db.query('select id, subdomain::text, status from public.institutions order by created_at'),
    users: await db.query(
      "select id, email, raw_app_meta_data ->> 'registration_id' as registration_id from auth.users order by created_at",
    ),
    profiles: await db.query('select user_id, institution_id from public.user_profiles'),
    keys: await db.query(
      `select key, recovery_point, coalesce(locked_until > now(), false) as locked, institution_id, director_user_id, result
         from public.idempotency_keys order by created_at`,
    ),
  };
}

let counter = 0;
/** A valid registration body with unique subdomain and email. */
export function registrationBody(overrides: Record<string, unknown> = {}) {
  const tag = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return {
    name: 'Springfield Elementary',
    subdomain: `school-${tag}`,
    directorEmail: `director-${tag}@example.com`,
    directorPassword: 'correct horse battery staple',
    directorFullName: 'Seymour Skinner',
    ...overrides,
  };
}

/**
 * The invariants that hold after any registration, however it failed: nothing exists without its
 * partners, and a `pending` institution exists only for a registration recorded as unfinished.
 */
export function assertConsistent(state: DatabaseState): void {
  const unfinished = new Set(state.keys.filter((k) => k.recovery_point === 'institution_created').map((k) => k.institution_id));
  const unfinishedUsers = new Set(state.keys.filter((k) => k.recovery_point === 'institution_created').map((k) => k.director_user_id));
  const institutionIds = new Set(state.institutions.map((i) => i.id));
  for (const institution of state.institutions) {
    if (institution.status === 'pending' && !unfinished.has(institution.id)) {
      throw new Error(`pending institution ${institution.subdomain} without an unfinished registration`);
    }
    if (institution.status === 'trial' && state.profiles.filter((p) => p.institution_id === institution.id).length !== 1) {
      throw new Error(`trial institution ${institution.subdomain} without exactly one director profile`);
    }
  }
  for (const user of state.users) {
    const profiled = state.profiles.some((p) => p.user_id === user.id);
    if (!profiled && !unfinishedUsers.has(user.id)) throw new Error(`auth user ${user.email} without a profile or an unfinished registration`);
  }
  for (const profile of state.profiles) {
    if (!institutionIds.has(profile.institution_id)) throw new Error('profile without institution');
  }
}
