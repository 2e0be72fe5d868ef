/**
 * `npm run db:bootstrap -- <postgresql-url>`: makes a plain PostgreSQL database a Supabase-shaped
 * one (API roles, `extensions` and `auth` schemas, GoTrue's auth tables and functions), so the
 * Supabase CLI can `supabase db push --db-url …` the migrations into it. Idempotent.
 */
import { bootstrapSupabaseDatabase } from '../local-supabase/bootstrap.js';
import { openPostgres } from '../local-supabase/postgres-database.js';
import { StartupError, startOrExit } from '../startup.js';

await startOrExit('db:bootstrap', async () => {
  const url = process.argv[2] ?? process.env.LOCAL_SUPABASE_DB_URL;
  if (!url) throw new StartupError('name the database: npm run db:bootstrap -- postgresql://user:pass@host:5432/db');
  const db = await openPostgres(url, 1);
  try {
    await bootstrapSupabaseDatabase(db);
  } finally {
    await db.close();
  }
  process.stdout.write('bootstrapped: roles, extensions, auth schema; now run `npx supabase db push --db-url "<url>?sslmode=disable"`\n');
});
