/** `npm run recover`: drives abandoned registrations (lock expired, not settled) to completion or compensation, and sends owed confirmation mails. */
import { sweep } from '../registration/sweep.js';
import { runTask } from './run-task.js';

await runTask('recover', (deps, config) => sweep(deps, { idleSeconds: config.IDEMPOTENCY_LOCK_TIMEOUT_SECONDS, limit: 500 }));
