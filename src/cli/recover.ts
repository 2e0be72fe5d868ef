/** `npm run recover`: drives abandoned registrations (lock expired, not settled) to completion or compensation. */
import { recoverAbandoned } from '../registration/recover-abandoned.js';
import { runTask } from './run-task.js';

await runTask('recover', (deps, config) =>
  recoverAbandoned(deps, { idleSeconds: config.IDEMPOTENCY_LOCK_TIMEOUT_SECONDS, limit: 500 }),
);
