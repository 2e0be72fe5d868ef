/** The Express app: security headers, request ids, logs, routes, and one problem+json error path. */
import express, { type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { AppError } from './errors.js';
import { refuseMalformedPath } from './http/malformed-path.js';
import { notFoundHandler, problemHandler, sendProblem } from './http/problem.js';
import { requestIdOf } from './http/request-id.js';

export interface AppOptions {
  logger: Logger;
  /** What the service talks to, reported by /healthz: `embedded-pglite`, `embedded-postgres` or `supabase`. */
  backend: string;
  trustProxy?: boolean;
  /** Readiness: whether a write to Supabase commits. */
  isReady: () => Promise<boolean>;
  routers?: Router[];
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(helmet());
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (req, res) => {
        const id = requestIdOf(req);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use((req, res, next) => {
    res.locals.requestId = req.id as string;
    next();
  });
  app.use(refuseMalformedPath);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', backend: options.backend });
  });
  app.get('/readyz', async (_req, res) => {
    if (await options.isReady()) {
      res.json({ status: 'ready', backend: options.backend });
      return;
    }
    sendProblem(res, new AppError('unavailable', 'not_ready', 'Supabase is not reachable, or its database refuses writes.', { retryAfterSeconds: 5 }));
  });
  for (const router of options.routers ?? []) app.use(router);

  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
