/**
 * Where a contract suite runs: the embedded local Supabase on each database lane, or — when
 * SUPABASE_URL is set (`npm run test:supabase`) — a real Supabase such as `supabase start`.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { SqlExecutor } from '../../src/local-supabase/database.js';
import { openPostgres } from '../../src/local-supabase/postgres-database.js';
import { createSupabaseClient } from '../../src/supabase/client.js';
import { LANES, startLaneSupabase } from './lanes.js';

export interface Target {
  url: string;
  serviceRoleKey: string;
  anonKey: string;
  service: SupabaseClient;
  anon: SupabaseClient;
  /** Direct SQL, when the database can be reached (always for the stand-in; SUPABASE_DB_URL for a real one). */
  sql?: SqlExecutor;
  /** The mail catcher's HTTP API (Mailpit): the stand-in's inbox, or SUPABASE_INBOX_URL for a real one (`supabase start`: http://127.0.0.1:54324). */
  inboxUrl?: string;
  /** True for the embedded stand-in, whose 501 answers for unsupported requests are part of its contract. */
  embedded: boolean;
  close(): Promise<void>;
}

export interface TargetFactory {
  name: string;
  start(): Promise<Target>;
}

function clients(url: string, serviceRoleKey: string, anonKey: string) {
  return {
    service: createSupabaseClient({ url, apiKey: serviceRoleKey }),
    anon: createSupabaseClient({ url, apiKey: anonKey }),
  };
}

/**
 * `blankProject`: a Supabase project without this repository's migrations, for suites that lay
 * out another project's schema. A real Supabase is not blank, so such suites get no SQL access
 * there and skip.
 */
export function contractTargets(options: { blankProject?: boolean } = {}): TargetFactory[] {
  const real = process.env.SUPABASE_URL;
  if (real) {
    return [
      {
        name: `supabase at ${real}`,
        async start() {
          const serviceRoleKey = process.env.SUPABASE_SERVICE_ROLE_KEY!;
          const anonKey = process.env.SUPABASE_ANON_KEY!;
          const db = process.env.SUPABASE_DB_URL && !options.blankProject ? await openPostgres(process.env.SUPABASE_DB_URL, 2) : undefined;
          return {
            url: real,
            serviceRoleKey,
            anonKey,
            ...clients(real, serviceRoleKey, anonKey),
            ...(db ? { sql: db } : {}),
            ...(process.env.SUPABASE_INBOX_URL ? { inboxUrl: process.env.SUPABASE_INBOX_URL } : {}),
            embedded: false,
            close: async () => db?.close(),
          };
        },
      },
    ];
  }
  return LANES.map((lane) => ({
    name: `embedded local Supabase on ${lane}`,
    async start() {
      const local = await startLaneSupabase(lane, options.blankProject ? { blank: true } : {});
      return {
        url: local.url,
        serviceRoleKey: local.serviceRoleKey,
        anonKey: local.anonKey,
        ...clients(local.url, local.serviceRoleKey, local.anonKey),
        sql: local.db,
        ...(local.inboxUrl ? { inboxUrl: local.inboxUrl } : {}),
        embedded: true,
        close: () => local.close(),
      };
    },
  }));
}

/** SQL that lays out a suite's own tables (with SQL access only) and removes them afterwards. */
export interface Fixture {
  layout: string;
  drop: string;
}

/**
 * Starts `factory`'s target for the enclosing describe and closes it after; with a fixture, lays
 * it out first and skips each case on a target without SQL access. Returns the target: its fields
 * may be read from inside hooks and cases, once it has started.
 */
export function useTarget(factory: TargetFactory, fixture?: Fixture): Target {
  let target: Target | undefined;
  beforeAll(async () => {
    target = await factory.start();
    if (fixture) await target.sql?.exec(fixture.layout);
  });
  if (fixture) {
    beforeEach((context) => {
      if (!target?.sql) context.skip();
    });
  }
  afterAll(async () => {
    if (fixture) await target?.sql?.exec(fixture.drop).catch(() => undefined);
    await target?.close();
  });
  return new Proxy({} as Target, {
    get: (_, field) => {
      if (!target) throw new Error('the contract target is read before it has started');
      return target[field as keyof Target];
    },
  });
}
