/** `npm run purge`: forgets settled idempotency keys past IDEMPOTENCY_RETENTION_HOURS. */
import { runTask } from './run-task.js';

await runTask('purge', async (deps) => ({ purged: await deps.gateway.purgeExpiredKeys() }));
