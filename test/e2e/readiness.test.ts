/**
 * /readyz proves that a write commits: a database that answers reads while refusing every write
 * (a full disk, SQLSTATE 53100, in the run that found this) registers no one. The refusal is made
 * with default_transaction_read_only: on PostgreSQL for the database (a fresh pool's sessions take
 * it), on PGlite for its one session, which the stand-in's every request shares.
 */
import type { Server } from 'node:http';
import pg from 'pg';
import { pino } from 'pino';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { listen } from '../../src/listen.js';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from '../../src/local-supabase/keys.js';
import { openPostgres } from '../../src/local-supabase/postgres-database.js';
import { localSupabaseApp, startLocalSupabase, type LocalSupabase } from '../../src/local-supabase/server.js';
import { createSupabaseClient } from '../../src/supabase/client.js';
import { supabaseIsReady } from '../../src/supabase/readiness.js';
import { createPostgresDatabase, LANES, type Lane } from '../support/lanes.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The stand-in on a lane, and a way to get a Supabase URL whose database refuses every write. */
async function standIn(lane: Lane): Promise<{ local: LocalSupabase; refusingWrites(): Promise<string> }> {
  if (lane === 'pglite') {
    const local = await startLocalSupabase();
    cleanups.push(() => local.close());
    return {
      local,
      async refusingWrites() {
        await local.db.exec('set default_transaction_read_only = on');
        return local.url;
      },
    };
  }
  const database = await createPostgresDatabase();
  cleanups.push(() => database.drop());
  const local = await startLocalSupabase({ dbUrl: database.url });
  cleanups.push(() => local.close());
  return {
    local,
    async refusingWrites() {
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(`alter database "${new URL(database.url).pathname.slice(1)}" set default_transaction_read_only = on`);
      await admin.end();
      const db = await openPostgres(database.url);
      const { server, port } = await listen(localSupabaseApp(db), 0, '127.0.0.1', 'PORT');
      cleanups.push(async () => {
        await new Promise((resolve) => (server as Server).close(resolve));
        await db.close();
      });
      return `http://127.0.0.1:${port}`;
    },
  };
}

const readyz = (url: string) => {
  const supabase = createSupabaseClient({ url, apiKey: LOCAL_SERVICE_ROLE_KEY });
  const app = createApp({ logger: pino({ level: 'silent' }), backend: 'test', isReady: () => supabaseIsReady(supabase) });
  return { supabase, answer: () => supertest(app).get('/readyz') };
};

describe.each(LANES)('readiness, embedded Supabase on %s', (lane) => {
  it(`is 503 not_ready while reads work but every write is refused (default_transaction_read_only on ${lane === 'pglite' ? 'the PGlite session' : 'the database'})`, async () => {
    const { local, refusingWrites } = await standIn(lane);
    expect((await readyz(local.url).answer()).status).toBe(200);
    const anon = createSupabaseClient({ url: local.url, apiKey: LOCAL_ANON_KEY });
    expect((await anon.rpc('readiness_write_probe')).error).toMatchObject({ code: '42501' });

    const refusing = readyz(await refusingWrites());
    expect((await refusing.supabase.from('institutions').select('id').limit(1)).error).toBeNull();
    expect((await refusing.supabase.rpc('rate_limit_reset', { p_key: 'readiness' })).error).toMatchObject({ code: '25006' });
    const answer = await refusing.answer();
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: 'not_ready', status: 503 });
  });
});
