/**
 * Start-up failures, as a user meets them running the built entry points: each is one line on
 * stderr naming what to change, and a non-zero exit; never a stack trace.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, spawnBuilt } from '../support/processes.js';

const EMBEDDED = { LOG_LEVEL: 'silent', HOST: '127.0.0.1', LOCAL_SUPABASE_DATA_DIR: 'memory://', LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0', RECOVERY_INTERVAL_SECONDS: '0' };

async function failure(path: string, env: Record<string, string>) {
  const { code, stderr } = await exitOf(spawnBuilt(path, { ...EMBEDDED, ...env }));
  expect(code).toBe(1);
  expect(stderr.trim().split('\n'), stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |Error:/);
  return stderr.trim();
}

describe('start-up failures', () => {
  let busy: Server;
  let busyPort: number;
  let silent: Server;
  let silentPort: number;
  beforeAll(async () => {
    busy = createHttpServer().listen(0, '127.0.0.1');
    silent = createTcpServer(() => undefined).listen(0, '127.0.0.1');
    await Promise.all([new Promise((r) => busy.once('listening', r)), new Promise((r) => silent.once('listening', r))]);
    busyPort = (busy.address() as AddressInfo).port;
    silentPort = (silent.address() as AddressInfo).port;
  });
  afterAll(() => {
    busy?.close();
    silent?.close();
  });

  it('a busy port names the port and the setting', async () => {
    expect(await failure('src/server.js', { PORT: String(busyPort) })).toBe(`ims-api: could not start: port ${busyPort} is in use; set PORT`);
    expect(await failure('src/local-supabase/main.js', { LOCAL_SUPABASE_PORT: String(busyPort) })).toBe(
      `supabase:local: could not start: port ${busyPort} is in use; set LOCAL_SUPABASE_PORT`,
    );
  }, 90_000); // two embedded PGlite start-ups (initdb and migrations each) in child processes

  it('a refused database names the variable and the cause, without the password', async () => {
    const line = await failure('src/server.js', { PORT: '0', LOCAL_SUPABASE_DB_URL: `postgresql://ims:hunter22@127.0.0.1:${busyPort + 1}/ims` });
    expect(line).toMatch(/^ims-api: could not start: LOCAL_SUPABASE_DB_URL: cannot connect to postgresql:\/\/ims:\*\*\*@127\.0\.0\.1:\d+\/ims: /);
    expect(line).not.toContain('hunter22');
  });

  it('a database server that never answers is given up on after the connect timeout', async () => {
    const line = await failure('src/server.js', { PORT: '0', LOCAL_SUPABASE_DB_URL: `postgresql://ims@127.0.0.1:${silentPort}/ims` });
    expect(line).toMatch(/LOCAL_SUPABASE_DB_URL: cannot connect to .*: no answer within 5 s$/);
  });

  it.runIf(process.env.TEST_DATABASE_URL)('a wrong password and a missing database say so', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.password = 'not-the-password';
    expect(await failure('src/server.js', { PORT: '0', LOCAL_SUPABASE_DB_URL: url.toString() })).toMatch(/password authentication failed/);
    const missing = new URL(process.env.TEST_DATABASE_URL!);
    missing.pathname = '/ims_no_such_database';
    expect(await failure('src/server.js', { PORT: '0', LOCAL_SUPABASE_DB_URL: missing.toString() })).toMatch(
      /database "ims_no_such_database" does not exist \(create it first/,
    );
  });
});
