/** Entry point: `npm start`. Loads .env, validates config, starts the service, and shuts down gracefully. */
import { loadConfigOrExit } from './config.js';
import { routeConsoleTo } from './console-log.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';
import { startOrExit } from './startup.js';

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL);
routeConsoleTo(logger);
const service = await startOrExit('ims-api', () => startService(config, logger));
logger.info({ url: service.url, backend: service.backend }, 'ims-api listening');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
