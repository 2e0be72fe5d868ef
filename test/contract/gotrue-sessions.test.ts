/**
 * GoTrue's sign-in, refresh, current user and sign-out, driven by the real supabase-js against a
 * target. Facts from supabase/auth (internal/api/token.go, internal/tokens/service.go,
 * internal/api/auth.go, logout.go, user.go): the password grant answers the session JSON
 * {access_token, token_type "bearer", expires_in, expires_at, refresh_token, user}; a wrong
 * password and an unknown email are both 400 invalid_credentials "Invalid login credentials";
 * access tokens carry iss, sub, aud, exp, iat, email, phone, app_metadata, user_metadata, role,
 * aal, amr, session_id, is_anonymous; v1 refresh tokens are 12 lower-case base32 characters and
 * rotate, a swapped one still answering with its child within the 10 s reuse interval; after
 * sign-out the session is gone: GET /user is 403 session_not_found and the refresh token is
 * 400 refresh_token_not_found.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createSupabaseClient } from '../../src/supabase/client.js';
import { contractTargets, useTarget } from '../support/target.js';

const PASSWORD = 'correct horse battery staple';

describe.each(contractTargets())('GoTrue sessions contract: $name', (factory) => {
  const t = useTarget(factory);

  /** A confirmed user made through the admin API, and a fresh anon-key client to sign in with. */
  async function userAndClient() {
    const email = `session-${randomUUID()}@example.com`;
    const created = await t.service.auth.admin.createUser({ email, password: PASSWORD, email_confirm: true, app_metadata: { tenant: 't1' } });
    expect(created.error).toBeNull();
    return { email, id: created.data.user!.id, client: createSupabaseClient({ url: t.url, apiKey: t.anonKey }) };
  }

  it('signInWithPassword answers a session whose access token carries GoTrue’s claims', async () => {
    const { email, id, client } = await userAndClient();
    const { data, error } = await client.auth.signInWithPassword({ email: email.toUpperCase(), password: PASSWORD });
    expect(error).toBeNull();
    const session = data.session!;
    expect(session.token_type).toBe('bearer');
    expect(session.expires_in).toBe(3600);
    expect(session.refresh_token).toMatch(/^[a-z2-7]{12}$/);
    expect(data.user).toMatchObject({ id, email, aud: 'authenticated', role: 'authenticated' });
    expect(data.user!.last_sign_in_at).toMatch(/^\d{4}-/);
    const claims = decodeJwt(session.access_token);
    expect(claims).toMatchObject({
      sub: id,
      aud: 'authenticated',
      role: 'authenticated',
      email,
      phone: '',
      aal: 'aal1',
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'], tenant: 't1' },
      user_metadata: { email_verified: true },
    });
    expect(claims.iss).toMatch(/\/auth\/v1$/);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(session.expires_at).toBe(claims.exp);
    expect(claims.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
  });

  it('the issuer is GoTrue’s external URL, whatever host the sign-in was sent to', async () => {
    const { email } = await userAndClient();
    const viaLocalhost = t.url.replace('127.0.0.1', 'localhost');
    const { data, error } = await createSupabaseClient({ url: viaLocalhost, apiKey: t.anonKey }).auth.signInWithPassword({ email, password: PASSWORD });
    expect(error).toBeNull();
    expect(decodeJwt(data.session!.access_token).iss).toBe(`${t.url}/auth/v1`);
  });

  it('a wrong password and an unknown email are both 400 invalid_credentials', async () => {
    const { email, client } = await userAndClient();
    for (const attempt of [{ email, password: 'not the password' }, { email: `nobody-${randomUUID()}@example.com`, password: PASSWORD }]) {
      const { data, error } = await client.auth.signInWithPassword(attempt);
      expect(data.session).toBeNull();
      expect(error).toMatchObject({ name: 'AuthApiError', status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
    }
  });

  it('getUser with the access token answers the signed-in user', async () => {
    const { id, email, client } = await userAndClient();
    const { data } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    const current = await client.auth.getUser(data.session!.access_token);
    expect(current.error).toBeNull();
    expect(current.data.user).toMatchObject({ id, email });
  });

  it('refreshSession rotates the refresh token; the swapped one still answers with its child within the reuse interval', async () => {
    const { email, client } = await userAndClient();
    const { data } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    const first = data.session!;
    const refreshed = await client.auth.refreshSession({ refresh_token: first.refresh_token });
    expect(refreshed.error).toBeNull();
    const second = refreshed.data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.access_token).session_id).toBe(decodeJwt(first.access_token).session_id);
    const reused = await createSupabaseClient({ url: t.url, apiKey: t.anonKey }).auth.refreshSession({ refresh_token: first.refresh_token });
    expect(reused.error).toBeNull();
    expect(reused.data.session!.refresh_token).toBe(second.refresh_token);
    const unknown = await createSupabaseClient({ url: t.url, apiKey: t.anonKey }).auth.refreshSession({ refresh_token: 'abcdefghijkl' });
    expect(unknown.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
  });

  it('a refresh token reused after the reuse interval is refused and revokes its session’s tokens', async (context) => {
    if (!t.sql) context.skip();
    const { email, client } = await userAndClient();
    const { data } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    // first → second → third: once `first` was revoked longer ago than the interval, and its
    // child has been swapped too, presenting it again is a reuse.
    const first = data.session!.refresh_token;
    const second = (await client.auth.refreshSession({ refresh_token: first })).data.session!.refresh_token;
    expect((await client.auth.refreshSession({ refresh_token: second })).error).toBeNull();
    await t.sql!.query("update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1", [first]);
    const reused = await createSupabaseClient({ url: t.url, apiKey: t.anonKey }).auth.refreshSession({ refresh_token: first });
    expect(reused.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
    const [live] = await t.sql!.query<{ count: number }>(
      'select count(*)::int as count from auth.refresh_tokens where session_id = (select session_id from auth.refresh_tokens where token = $1) and not revoked',
      [first],
    );
    expect(live!.count).toBe(0);
  });

  it('signOut ends the session: GET /user is 403 session_not_found, the refresh token is not found', async () => {
    const { email, client } = await userAndClient();
    const { data } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    const { access_token: accessToken, refresh_token: refreshToken } = data.session!;
    expect((await client.auth.signOut()).error).toBeNull();
    // auth-js turns GoTrue's session_not_found into AuthSessionMissingError; the wire answer is 403.
    const after = await client.auth.getUser(accessToken);
    expect(after.error?.name).toBe('AuthSessionMissingError');
    const raw = await fetch(`${t.url}/auth/v1/user`, {
      headers: { apikey: t.anonKey, Authorization: `Bearer ${accessToken}`, 'X-Supabase-Api-Version': '2024-01-01' },
    });
    expect([raw.status, (await raw.json()).code]).toEqual([403, 'session_not_found']);
    const refreshed = await createSupabaseClient({ url: t.url, apiKey: t.anonKey }).auth.refreshSession({ refresh_token: refreshToken });
    expect(refreshed.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
  });
});
