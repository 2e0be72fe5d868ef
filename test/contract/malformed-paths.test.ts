/**
 * Paths whose percent-escapes do not decode, sent raw. A `%` without two hex digits never reaches
 * GoTrue or PostgREST: Go's net/http refuses the request line (`400 Bad Request`, plain text,
 * Connection: close; net/http server.go) and so does the gateway's nginx (ngx_http_parse_complex_uri).
 * Escaped bytes that are not UTF-8 do reach them: GoTrue's loadUser finds no UUID in them
 * (admin.go), PostgREST decodes them leniently and finds no such table.
 */
import { describe, expect, it } from 'vitest';
import { contractTargets, useTarget } from '../support/target.js';

describe.each(contractTargets())('malformed paths: $name', (factory) => {
  const t = useTarget(factory);
  const get = (path: string) =>
    fetch(`${t.url}${path}`, {
      headers: { apikey: t.serviceRoleKey, Authorization: `Bearer ${t.serviceRoleKey}`, 'X-Supabase-Api-Version': '2024-01-01' },
    });

  it.each(['/auth/v1/admin/users/%E0%A4%A', '/auth/v1/admin/users/%', '/rest/v1/%E0%A4%A', '/rest/v1/rpc/%'])(
    '%s: an escape without two hex digits is a plain 400, before any server',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(400);
      const body = await response.text();
      if (t.embedded) {
        expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        expect(response.headers.get('connection')).toBe('close');
        expect(body).toBe('400 Bad Request');
      }
    },
  );

  it('escaped bytes that are not UTF-8 are no user id for GoTrue (404 validation_failed)', async () => {
    const response = await get('/auth/v1/admin/users/%E0%A4');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ code: 'validation_failed', message: 'user_id must be an UUID' });
  });

  it('escaped bytes that are not UTF-8 are no table for PostgREST (404 PGRST205)', async () => {
    const response = await get('/rest/v1/%E0%A4');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'PGRST205' });
  });
});
