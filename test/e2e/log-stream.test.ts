/**
 * The service's output is its JSON log stream, one record per line, even when a library writes to
 * the console: auth-js console.error()s every failed fetch, stack and cause included. The service
 * runs as `npm start` runs it, against a fake Supabase whose Auth drops every connection (its
 * claim rpc answers, so the registration reaches auth.admin.createUser; the rest answers 503).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationBody } from '../support/harness.js';
import { listeningUrl, spawnBuilt } from '../support/processes.js';

const body = registrationBody();

function claimed() {
  const { directorPassword: _password, ...sagaInput } = body;
  return { outcome: 'proceed', registration_id: randomUUID(), institution_id: randomUUID(), director_user_id: randomUUID(), saga_input: sagaInput, result: null };
}

describe('the log stream (a fake Supabase whose Auth is unreachable)', () => {
  let supabase: Server;
  let supabaseUrl: string;
  beforeAll(async () => {
    supabase = createServer((req, res) => {
      req.resume();
      if (req.url?.startsWith('/auth/v1/')) req.socket.destroy();
      else if (req.url?.startsWith('/rest/v1/rpc/registration_begin')) res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(claimed()));
      else res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"message":"fake Supabase: unavailable"}');
    }).listen(0, '127.0.0.1');
    await once(supabase, 'listening');
    supabaseUrl = `http://127.0.0.1:${(supabase.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    supabase?.close();
  });

  it('holds only JSON lines, auth-js’s failed fetches among them as one warn record each, without a stack', { timeout: 90_000 }, async () => {
    const child = spawnBuilt('src/server.js', {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SUPABASE_URL: supabaseUrl,
      SUPABASE_SERVICE_ROLE_KEY: 'a-fake-service-role-key',
      SUPABASE_ANON_KEY: 'a-fake-anon-key-of-20-chars',
      SUPABASE_JWT_SECRET: 'a-jwt-secret-of-at-least-32-characters!!',
      IDEMPOTENCY_SECRET: 'test-secret-test-secret-test-secret-0123',
      SUPABASE_TIMEOUT_MS: '1000',
      REGISTER_RATE_LIMIT_PER_MINUTE: '0',
      RECOVERY_INTERVAL_SECONDS: '0',
      PURGE_INTERVAL_MINUTES: '0',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const url = await listeningUrl(child).catch((error: Error) => {
        throw new Error(`${error.message}: ${stderr}`);
      });
      const answer = await fetch(`${url}/api/v1/institutions/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
        body: JSON.stringify(body),
      });
      expect(answer.status).toBeGreaterThanOrEqual(500);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }

    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n');
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as { level: number; source?: string; msg?: string };
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    const fromConsole = records.filter((record) => record.source === 'console');
    expect(fromConsole.length).toBeGreaterThan(0);
    for (const record of fromConsole) {
      expect(record.level).toBe(40);
      expect(record.msg).toMatch(/fetch failed/);
      expect(record.msg).not.toMatch(/\n\s+at /);
    }
  });
});
