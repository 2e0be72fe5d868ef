/** `npm run supabase:local`: the embedded local Supabase alone, like `supabase start`, on 127.0.0.1:54321 (its inbox, Mailpit's API, on 54324). */
import { loadConfigOrExit } from '../config.js';
import { startOrExit } from '../startup.js';
import { LOCAL_PUBLISHABLE_KEY, LOCAL_SECRET_KEY } from './keys.js';
import { startLocalSupabase } from './server.js';

const config = loadConfigOrExit();

const local = await startOrExit('supabase:local', () =>
  startLocalSupabase({
    dbUrl: config.LOCAL_SUPABASE_DB_URL,
    dataDir: config.LOCAL_SUPABASE_DATA_DIR,
    port: config.LOCAL_SUPABASE_PORT,
    inboxPort: config.LOCAL_SUPABASE_INBOX_PORT,
  }),
);
// These are the Supabase CLI's public local-development keys, printed as `supabase status` does.
process.stdout.write(
  [
    `Embedded local Supabase on ${local.db.engine} (migrations applied now: ${local.appliedMigrations.length})`,
    `API URL: ${local.url}`,
    `Mailpit URL: ${local.inboxUrl}`,
    `Publishable key: ${LOCAL_PUBLISHABLE_KEY}`,
    `Secret key: ${LOCAL_SECRET_KEY}`,
    `anon key: ${local.anonKey}`,
    `service_role key: ${local.serviceRoleKey}`,
    '',
  ].join('\n'),
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    local.close().then(() => process.exit(0));
  });
}
