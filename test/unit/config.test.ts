import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('defaults to port 3000 and the embedded Supabase on PGlite in .data/pglite', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, LOCAL_SUPABASE_DATA_DIR: '.data/pglite' });
    expect(config.SUPABASE_URL).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ LOCAL_SUPABASE_DB_URL: 'mysql://x' })).toThrow(/LOCAL_SUPABASE_DB_URL/);
  });

  it('requires the service role key and the idempotency secret with SUPABASE_URL', () => {
    expect(() => loadConfig({ SUPABASE_URL: 'http://127.0.0.1:54321' })).toThrow(/SUPABASE_SERVICE_ROLE_KEY: is required/);
    expect(() => loadConfig({ SUPABASE_URL: 'http://127.0.0.1:54321' })).toThrow(/IDEMPOTENCY_SECRET: is required/);
  });

  it('treats an empty value as unset, as .env files write them', () => {
    expect(loadConfig({ SUPABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it("refuses a lock timeout that one attempt's worst case (deadline + one call) does not fit in", () => {
    expect(() => loadConfig({ IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '30' })).toThrow(
      /IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: must exceed one attempt's worst case, REQUEST_DEADLINE_MS \+ SUPABASE_TIMEOUT_MS = 40000 ms/,
    );
    expect(() => loadConfig({ SUPABASE_TIMEOUT_MS: '5000', REQUEST_DEADLINE_MS: '4000' })).toThrow(/REQUEST_DEADLINE_MS: must be at least SUPABASE_TIMEOUT_MS/);
    expect(loadConfig({ IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '30', REQUEST_DEADLINE_MS: '15000' }).REQUEST_DEADLINE_MS).toBe(15000);
  });

  it('binds loopback with the embedded Supabase and refuses other hosts there; 0.0.0.0 by default with SUPABASE_URL', () => {
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '::1' }).HOST).toBe('::1');
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/HOST: must be a loopback address .*forge a director's token/);
    const remote = { SUPABASE_URL: 'http://127.0.0.1:54321', SUPABASE_SERVICE_ROLE_KEY: 'k'.repeat(40), SUPABASE_ANON_KEY: 'a'.repeat(40) };
    const withSecrets = { ...remote, SUPABASE_JWT_SECRET: 's'.repeat(40), IDEMPOTENCY_SECRET: 'i'.repeat(40) };
    expect(loadConfig(withSecrets).HOST).toBe('0.0.0.0');
  });
});
