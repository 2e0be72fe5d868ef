/**
 * Two API instances on one PostgreSQL database, each with its own embedded Supabase and working
 * directory and no IDEMPOTENCY_SECRET, agree on every key: the fingerprint secret lives in the
 * database beside the keys.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { pino } from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { LOCAL_ANON_KEY } from '../../src/local-supabase/keys.js';
import { openPostgres } from '../../src/local-supabase/postgres-database.js';
import { assembleApp, connectSupabase, type SupabaseConnection } from '../../src/service.js';
import { registrationBody } from '../support/harness.js';
import { createPostgresDatabase } from '../support/lanes.js';

describe.runIf(process.env.TEST_DATABASE_URL)('two instances on one PostgreSQL database without IDEMPOTENCY_SECRET', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  const connections: SupabaseConnection[] = [];
  const apps: Express[] = [];
  const workDirs: string[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    for (let i = 0; i < 2; i++) {
      const workDir = await mkdtemp(join(tmpdir(), 'ims-instance-'));
      workDirs.push(workDir);
      const config = loadConfig({
        LOCAL_SUPABASE_DB_URL: database.url,
        LOCAL_SUPABASE_DATA_DIR: join(workDir, 'pglite'),
        LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0',
        REGISTER_RATE_LIMIT_PER_MINUTE: '0',
      });
      const logger = pino({ level: 'silent' });
      const connection = await connectSupabase(config, logger);
      connections.push(connection);
      apps.push(assembleApp(config, connection, logger).app);
    }
  });
  afterAll(async () => {
    for (const connection of connections) await connection.local?.close();
    await database?.drop();
    for (const dir of workDirs) await rm(dir, { recursive: true, force: true });
  });

  const register = (app: Express, body: object, key: string) =>
    supertest(app).post('/api/v1/institutions/register').set('Idempotency-Key', key).send(body);

  it('the same key and body, alternating between them, get one registration and identical answers', async () => {
    const body = registrationBody();
    const key = randomUUID();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await register(apps[i % 2]!, body, key));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(answers.map((a) => a.headers['idempotent-replayed'])).toEqual([undefined, 'true', 'true', 'true']);
    for (const answer of answers) expect(answer.body).toEqual(answers[0]!.body);

    const reused = await Promise.all(apps.map((app) => register(app, { ...body, name: 'Another School' }, key)));
    expect(reused.map((a) => [a.status, a.body.code])).toEqual([
      [422, 'idempotency_key_reused'],
      [422, 'idempotency_key_reused'],
    ]);
  });

  it('the secret is one row, readable by service_role only', async () => {
    const db = await openPostgres(database.url, 1);
    const [row] = await db.query<{ secrets: number }>('select count(*)::int as secrets from public.idempotency_settings').finally(() => db.close());
    expect(row!.secrets).toBe(1);
    const anon = await fetch(`${connections[0]!.local!.url}/rest/v1/rpc/idempotency_fingerprint_secret`, {
      method: 'POST',
      headers: { apikey: LOCAL_ANON_KEY, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(anon.status).toBe(401);
  });
});
