/** Wires the service: config → (embedded Supabase when no SUPABASE_URL) → Supabase client → app → listening server. */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { accessTokenVerifier, type TokenCheck, type VerificationKey } from './auth/access-token.js';
import type { Config } from './config.js';
import { institutionRouter } from './http/institution-route.js';
import { openApiRouter } from './http/openapi.js';
import { pageRouter } from './http/page-route.js';
import { InFlight } from './in-flight.js';
import { listen } from './listen.js';
import { dataDirOwner } from './local-supabase/data-dir-lock.js';
import { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, LOCAL_SERVICE_ROLE_KEY } from './local-supabase/keys.js';
import { registerRouter } from './http/register-route.js';
import { startLocalSupabaseThread, type EmbeddedSupabase } from './local-supabase/thread.js';
import { sweep } from './registration/sweep.js';
import type { RegistrationDeps } from './registration/register-institution.js';
import type { SagaPolicy } from './saga/run-saga.js';
import { createSupabaseClient } from './supabase/client.js';
import { databaseFingerprintSecret } from './supabase/fingerprint-secret.js';
import { supabaseInstitutionDirectory } from './supabase/institution-directory.js';
import { supabaseRateLimitStore } from './supabase/rate-limit-store.js';
import { supabaseIsReady } from './supabase/readiness.js';
import { supabaseRegistrationGateway } from './supabase/registration-gateway.js';
import { withinBudget } from './supabase/transport.js';

/** How long a graceful shutdown waits for registrations (and a recovery sweep) under way to finish. */
const SHUTDOWN_GRACE_MS = 10_000;

export const DEFAULT_SAGA_POLICY: SagaPolicy = {
  step: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
  compensation: { attempts: 5, baseDelayMs: 100, maxDelayMs: 2_000 },
};

export interface ServiceOptions {
  /** The fetch under supabase-js: tests inject faults here, benchmarks count calls. */
  fetch?: typeof fetch;
  sagaPolicy?: SagaPolicy;
  /**
   * For maintenance tasks: when another process owns the embedded PGlite directory, go through
   * that process's embedded Supabase instead of refusing (PGlite has one owner).
   */
  attachToRunning?: boolean;
}

export interface SupabaseConnection {
  /** The service's own client, acting with the service_role key. */
  supabase: SupabaseClient;
  /** A client acting as a signed-in user (anon key + their access token): row-level security applies. */
  asUser(accessToken: string): SupabaseClient;
  /** How this project's access tokens are verified. */
  tokenCheck: TokenCheck;
  backend: string;
  /** The embedded Supabase, when this process runs it (in its own worker thread). */
  local?: EmbeddedSupabase;
  idempotencySecret: string;
}

interface Endpoint {
  url: string;
  serviceRoleKey: string;
  anonKey: string;
  tokenCheck: TokenCheck;
}

/** GoTrue's `iss`: its external URL and /auth/v1. */
const authIssuer = (supabaseUrl: string) => `${supabaseUrl.replace(/\/+$/, '')}/auth/v1`;

const embeddedEndpoint = (url: string): Endpoint => ({
  url,
  serviceRoleKey: LOCAL_SERVICE_ROLE_KEY,
  anonKey: LOCAL_ANON_KEY,
  tokenCheck: { key: { kind: 'secret', secret: LOCAL_JWT_SECRET }, issuer: authIssuer(url) },
});

/** Connects to SUPABASE_URL, or boots the embedded local Supabase when it is unset. */
export async function connectSupabase(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<SupabaseConnection> {
  const connect = async (endpoint: Endpoint, extra: Pick<SupabaseConnection, 'backend' | 'local'>): Promise<SupabaseConnection> => {
    const client = (apiKey: string, accessToken?: string) =>
      createSupabaseClient({
        url: endpoint.url,
        apiKey,
        timeoutMs: config.SUPABASE_TIMEOUT_MS,
        ...(accessToken ? { accessToken } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    const supabase = client(endpoint.serviceRoleKey);
    return {
      supabase,
      asUser: (accessToken) => client(endpoint.anonKey, accessToken),
      tokenCheck: endpoint.tokenCheck,
      idempotencySecret: config.IDEMPOTENCY_SECRET ?? (await databaseFingerprintSecret(supabase)),
      ...extra,
    };
  };
  if (config.SUPABASE_URL) {
    const tokenKey: VerificationKey =
      config.SUPABASE_JWT_VERIFY === 'jwks'
        ? { kind: 'jwks', url: new URL('/auth/v1/.well-known/jwks.json', config.SUPABASE_URL).toString() }
        : { kind: 'secret', secret: config.SUPABASE_JWT_SECRET! };
    const endpoint = {
      url: config.SUPABASE_URL,
      serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY!,
      anonKey: config.SUPABASE_ANON_KEY!,
      tokenCheck: { key: tokenKey, issuer: config.SUPABASE_JWT_ISSUER ?? authIssuer(config.SUPABASE_URL) },
    };
    return connect(endpoint, { backend: 'supabase' });
  }
  const running = options.attachToRunning && !config.LOCAL_SUPABASE_DB_URL ? await dataDirOwner(config.LOCAL_SUPABASE_DATA_DIR) : null;
  if (running?.supabaseUrl) {
    logger.info({ supabaseUrl: running.supabaseUrl, pid: running.pid }, 'going through the running embedded Supabase');
    return connect(embeddedEndpoint(running.supabaseUrl), { backend: 'embedded-pglite' });
  }
  // On the CLI's port, like `supabase start`, so a browser or curl can sign in against it.
  const local = await startLocalSupabaseThread(
    {
      dbUrl: config.LOCAL_SUPABASE_DB_URL,
      dataDir: config.LOCAL_SUPABASE_DATA_DIR,
      port: config.LOCAL_SUPABASE_PORT,
      // Mail GoTrue sends (the director's confirmation) lands here, on the port `supabase start` gives Mailpit.
      inboxPort: config.LOCAL_SUPABASE_INBOX_PORT,
    },
    (error) => logger.fatal({ err: error }, 'the embedded local Supabase stopped; Supabase calls fail until the service restarts'),
  );
  logger.info({ supabaseUrl: local.url, inboxUrl: local.inboxUrl, engine: local.engine, appliedMigrations: local.appliedMigrations }, 'embedded local Supabase started');
  return connect(embeddedEndpoint(local.url), { backend: `embedded-${local.engine}`, local });
}

export function registrationDeps(config: Config, connection: SupabaseConnection, logger: Logger, sagaPolicy = DEFAULT_SAGA_POLICY): RegistrationDeps {
  return {
    gateway: supabaseRegistrationGateway(connection.supabase, { confirmationRedirectUrl: config.CONFIRMATION_REDIRECT_URL }),
    settings: {
      fingerprintSecret: connection.idempotencySecret,
      directorEmailConfirmation: config.DIRECTOR_EMAIL_CONFIRMATION,
      lockTimeoutSeconds: config.IDEMPOTENCY_LOCK_TIMEOUT_SECONDS,
      retentionHours: config.IDEMPOTENCY_RETENTION_HOURS,
      claimRetry: sagaPolicy.step,
      saga: sagaPolicy,
    },
    withinBudget: (attempt) => withinBudget(config.REQUEST_DEADLINE_MS, attempt),
    onSagaEnded: (event) => logger.warn({ registrationId: event.registrationId, outcome: event.outcome, cause: String(event.cause) }, 'registration saga did not complete'),
    onUnclassifiedError: ({ during, error }) =>
      logger.error({ during, err: error }, 'an error nobody classified was taken as ambiguous (nothing was undone): a defect to fix'),
  };
}

/** Runs `task` every `seconds` (0: never), one run at a time, without keeping the process alive. */
function every(seconds: number, task: () => Promise<unknown>, logger: Logger, name: string, inFlight: InFlight): () => void {
  if (seconds === 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    inFlight
      .track(task())
      .then((result) => logger.debug({ task: name, result }, 'scheduled task ran'))
      .catch((error: unknown) => logger.warn({ task: name, err: error }, 'scheduled task failed'))
      .finally(() => {
        running = false;
      });
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

export interface RunningService {
  url: string;
  backend: string;
  close(): Promise<void>;
}

/** The Express app and the registration's dependencies, over a Supabase connection. */
export function assembleApp(config: Config, connection: SupabaseConnection, logger: Logger, sagaPolicy?: SagaPolicy) {
  const deps = registrationDeps(config, connection, logger, sagaPolicy);
  const inFlight = new InFlight();
  const app = createApp({
    logger,
    backend: connection.backend,
    trustProxy: config.TRUST_PROXY,
    isReady: () => supabaseIsReady(connection.supabase),
    routers: [
      registerRouter(deps, {
        inFlight,
        logger,
        rateLimit: {
          perMinute: config.REGISTER_RATE_LIMIT_PER_MINUTE,
          logger,
          ...(config.RATE_LIMIT_STORE === 'database' ? { store: supabaseRateLimitStore(connection.supabase, 'register:') } : {}),
        },
      }),
      institutionRouter(supabaseInstitutionDirectory(connection.asUser, config.REQUEST_DEADLINE_MS), accessTokenVerifier(connection.tokenCheck)),
      openApiRouter(),
      pageRouter(),
    ],
  });
  return { app, deps, inFlight };
}

export async function startService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<RunningService> {
  const connection = await connectSupabase(config, logger, options);
  const { app, deps, inFlight } = assembleApp(config, connection, logger, options.sagaPolicy);
  const stopRecovery = every(
    config.RECOVERY_INTERVAL_SECONDS,
    () => sweep(deps, { idleSeconds: config.IDEMPOTENCY_LOCK_TIMEOUT_SECONDS, limit: 50 }),
    logger,
    'recover',
    inFlight,
  );
  const stopPurge = every(config.PURGE_INTERVAL_MINUTES * 60, () => deps.gateway.purgeExpiredKeys(), logger, 'purge', inFlight);
  const listening = await listen(app, config.PORT, config.HOST, 'PORT').catch(async (error: unknown) => {
    stopRecovery();
    stopPurge();
    await connection.local?.close();
    throw error;
  });
  const { server, port } = listening;
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return {
    url: `http://${host}:${port}`,
    backend: connection.backend,
    async close() {
      stopRecovery();
      stopPurge();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // A registration whose client has gone runs on: let it finish before Supabase goes away.
      if (!(await inFlight.settled(SHUTDOWN_GRACE_MS))) {
        logger.warn({ running: inFlight.size }, 'shutting down with registrations still running; a retry or the recovery sweep finishes them');
      }
      await connection.local?.close();
    },
  };
}
