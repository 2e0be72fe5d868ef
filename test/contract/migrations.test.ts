/** The embedded Supabase's bootstrap and migrator, on real Postgres: idempotent, and in step with the Supabase CLI. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalSupabase } from '../../src/local-supabase/server.js';
import { createPostgresDatabase } from '../support/lanes.js';

describe('migrations on PGlite with a data directory', () => {
  it('applies every migration on first start and none on restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ims-pglite-'));
    try {
      const first = await startLocalSupabase({ dataDir });
      expect(first.appliedMigrations.length).toBeGreaterThan(0);
      await first.close();
      const second = await startLocalSupabase({ dataDir });
      expect(second.appliedMigrations).toEqual([]);
      const history = await second.db.query<{ version: string }>(
        'select version from supabase_migrations.schema_migrations order by version',
      );
      expect(history.map((row) => row.version)).toEqual(first.appliedMigrations);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('migrations on PostgreSQL applied by the Supabase CLI', () => {
  it('the stand-in finds `supabase db push` history and applies nothing again', async () => {
    const database = await createPostgresDatabase();
    try {
      const local = await startLocalSupabase({ dbUrl: database.url });
      expect(local.appliedMigrations).toEqual([]);
      const [row] = await local.db.query<{ rls: boolean }>(
        "select bool_and(relrowsecurity) as rls from pg_class where oid in ('public.institutions'::regclass, 'public.user_profiles'::regclass)",
      );
      expect(row!.rls).toBe(true);
      await local.close();
    } finally {
      await database.drop();
    }
  });
});
