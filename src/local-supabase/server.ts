/** The embedded local Supabase: real Postgres behind the PostgREST and GoTrue subset ims-api uses. */
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { listen } from '../listen.js';
import { StartupError } from '../startup.js';
import { bootstrapSupabaseDatabase } from './bootstrap.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import type { SqlDatabase } from './database.js';
import { NO_API_KEY_BODY, resolveAuthorization, type GatewayKeys } from './gateway.js';
import { gotrueRouter, type ExternalUrl } from './gotrue/router.js';
import { DEFAULT_AUTH_SETTINGS, readAuthSettings, type AuthSettings } from './gotrue/settings.js';
import {
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  LOCAL_PUBLISHABLE_KEY,
  LOCAL_SECRET_KEY,
  LOCAL_SERVICE_ROLE_KEY,
} from './keys.js';
import { Mailbox } from './inbox/mailbox.js';
import { mailpitApp } from './inbox/mailpit-api.js';
import { applyMigrations } from './migrate.js';
import { openPglite, pgliteSnapshot } from './pglite-database.js';
import { DatabaseUnreachableError, openPostgres } from './postgres-database.js';
import { postgrestRouter } from './postgrest/router.js';
import { readRequestPath } from './request-path.js';

export interface LocalSupabaseOptions {
  /** A PostgreSQL URL; when absent, PGlite runs in this process. */
  dbUrl?: string | undefined;
  /** PGlite's data directory; when absent (and no dbUrl), PGlite keeps everything in memory. */
  dataDir?: string | undefined;
  port?: number;
  host?: string;
  /** The setting that names `port`, for the message when it is busy. */
  portSetting?: string;
  /** The setting that names `dbUrl`, for the message when it cannot be reached. */
  dbUrlSetting?: string;
  /** The project's migrations: supabase/migrations by default; null for a blank project (no migrations). */
  migrationsDir?: string | null;
  /**
   * The project's Supabase CLI config, whose [auth] sign-up settings the embedded GoTrue follows:
   * supabase/config.toml by default. A blank project has the CLI's defaults instead (sign-ups open).
   */
  configToml?: string;
  /**
   * The local inbox's port (Mailpit's HTTP API and a page listing the mails GoTrue sends), like
   * `supabase start`'s 54324; 0 picks a free one; absent, mail is kept but not served.
   */
  inboxPort?: number;
  /** The setting that names `inboxPort`, for the message when it is busy. */
  inboxPortSetting?: string;
  /**
   * For an in-memory PGlite: a dump (`localSupabaseSnapshot`) to start from instead of initdb;
   * bootstrap and migrations then only add what it lacks.
   */
  snapshot?: Blob;
}

export interface LocalSupabase {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  /** The HS256 secret its GoTrue signs access tokens with and its PostgREST verifies them with. */
  jwtSecret: string;
  db: SqlDatabase;
  appliedMigrations: string[];
  /** The local inbox (Mailpit's HTTP API), when `inboxPort` was given. */
  inboxUrl?: string;
  close(): Promise<void>;
}

const KEYS: GatewayKeys = {
  anonJwt: LOCAL_ANON_KEY,
  serviceRoleJwt: LOCAL_SERVICE_ROLE_KEY,
  publishableKey: LOCAL_PUBLISHABLE_KEY,
  secretKey: LOCAL_SECRET_KEY,
};

export function openDatabase(options: Pick<LocalSupabaseOptions, 'dbUrl' | 'dataDir' | 'snapshot'>): Promise<SqlDatabase> {
  return options.dbUrl ? openPostgres(options.dbUrl) : openPglite(options.dataDir, options.snapshot);
}

/** A PGlite dump of a Supabase database with the project's migrations (or none, with null): test suites start many from one. */
export function localSupabaseSnapshot(options: Pick<LocalSupabaseOptions, 'migrationsDir'> = {}): Promise<Blob> {
  return pgliteSnapshot(async (db) => void (await prepareDatabase(db, options.migrationsDir)));
}

/** Makes `db` a Supabase database with the project's migrations; returns the migrations it applied. */
async function prepareDatabase(db: SqlDatabase, migrationsDir: string | null | undefined): Promise<string[]> {
  await bootstrapSupabaseDatabase(db);
  return migrationsDir === null ? [] : applyMigrations(db, migrationsDir);
}

export function localSupabaseApp(
  db: SqlDatabase,
  jwtSecret = LOCAL_JWT_SECRET,
  auth: AuthSettings = DEFAULT_AUTH_SETTINGS,
  mailbox: Mailbox = new Mailbox(),
  external: ExternalUrl = {},
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(readRequestPath);
  app.use(express.text({ type: () => true, limit: '1mb' }));

  const gateway = (req: Request, res: Response, next: NextFunction) => {
    // Kong's auth-v1-open route (the CLI's kong.yml): a mailed link carries no apikey.
    if (req.baseUrl === '/auth/v1' && req.path.startsWith('/verify')) {
      res.locals.authorization = req.headers.authorization;
      next();
      return;
    }
    const resolved = resolveAuthorization(req.headers, new URL(req.originalUrl, 'http://local').searchParams, KEYS);
    if (!resolved.ok) {
      res.status(401).json(NO_API_KEY_BODY);
      return;
    }
    res.locals.authorization = resolved.authorization;
    next();
  };
  app.use('/rest/v1', gateway, postgrestRouter(db, jwtSecret));
  app.use('/auth/v1', gateway, gotrueRouter(db, jwtSecret, auth, mailbox, external));

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ message: 'no Route matched with those values' });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error("embedded local Supabase: unexpected error", error);
    res.status(500).json({ message: 'An unexpected error occurred in the embedded local Supabase' });
  });
  return app;
}

async function closeServers(servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  );
}

const isPersistentPglite = (options: LocalSupabaseOptions) =>
  !options.dbUrl && options.dataDir !== undefined && !options.dataDir.startsWith('memory://');

/**
 * Opens the database (a PGlite directory only as its one owner), makes it a Supabase database,
 * applies migrations, and listens.
 */
export async function startLocalSupabase(options: LocalSupabaseOptions = {}): Promise<LocalSupabase> {
  const lock: DataDirLock | undefined = isPersistentPglite(options) ? await lockDataDir(options.dataDir!) : undefined;
  let db: SqlDatabase | undefined;
  const servers: Server[] = [];
  try {
    const auth = options.migrationsDir === null ? DEFAULT_AUTH_SETTINGS : await readAuthSettings(options.configToml);
    db = await openDatabase(options);
    const appliedMigrations = await prepareDatabase(db, options.migrationsDir);
    const host = options.host ?? '127.0.0.1';
    const mailbox = new Mailbox();
    const external: ExternalUrl = {};
    const { server, port } = await listen(localSupabaseApp(db, LOCAL_JWT_SECRET, auth, mailbox, external), options.port ?? 0, host, options.portSetting ?? 'LOCAL_SUPABASE_PORT');
    servers.push(server);
    const url = `http://${host}:${port}`;
    external.url = url;
    let inboxUrl: string | undefined;
    if (options.inboxPort !== undefined) {
      const inbox = await listen(mailpitApp(mailbox), options.inboxPort, host, options.inboxPortSetting ?? 'LOCAL_SUPABASE_INBOX_PORT');
      servers.push(inbox.server);
      inboxUrl = `http://${host}:${inbox.port}`;
    }
    await lock?.advertise(url);
    const opened = db;
    return {
      url,
      anonKey: LOCAL_ANON_KEY,
      serviceRoleKey: LOCAL_SERVICE_ROLE_KEY,
      jwtSecret: LOCAL_JWT_SECRET,
      db: opened,
      appliedMigrations,
      ...(inboxUrl ? { inboxUrl } : {}),
      async close() {
        await closeServers(servers);
        await opened.close();
        await lock?.release();
      },
    };
  } catch (error) {
    await closeServers(servers);
    await db?.close().catch(() => undefined);
    await lock?.release();
    if (error instanceof DatabaseUnreachableError) throw new StartupError(`${options.dbUrlSetting ?? 'LOCAL_SUPABASE_DB_URL'}: ${error.message}`);
    throw error;
  }
}
