/**
 * The registered director uses the account, end to end on each lane: register → sign in through
 * supabase-js with the password sent at registration → GET the 201's Location with the access
 * token → the same ids. Row-level security keeps every director to their own institution, both
 * through the API and through Supabase directly.
 */
import { SignJWT } from 'jose';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabaseClient } from '../../src/supabase/client.js';
import { registrationBody, startHarness, type Harness } from '../support/harness.js';
import { LANES } from '../support/lanes.js';

describe.each(LANES)('a registered director on %s', (lane) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(lane);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Registers an institution, then signs its director in as a browser would (anon key). */
  async function registeredDirector() {
    const body = registrationBody();
    const registered = await h.register(body).expect(201);
    const client = createSupabaseClient({ url: h.local.url, apiKey: h.local.anonKey });
    const { data, error } = await client.auth.signInWithPassword({ email: body.directorEmail, password: body.directorPassword });
    expect(error).toBeNull();
    return { body, registered, client, accessToken: data.session!.access_token, location: registered.headers.location as string };
  }

  const get = (path: string, accessToken?: string) => {
    const request = supertest(h.app).get(path);
    return accessToken ? request.set('Authorization', `Bearer ${accessToken}`) : request;
  };

  it('signs in with the registration’s password and GETs its Location: 200 with the ids the 201 gave', async () => {
    const { registered, accessToken, location } = await registeredDirector();
    const read = await get(location, accessToken);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body).toEqual({ institution: registered.body.institution, role: 'director' });
    const { data } = await createSupabaseClient({ url: h.local.url, apiKey: h.local.anonKey }).auth.getUser(accessToken);
    expect(data.user!.id).toBe(registered.body.director.id);
  });

  it('a read Supabase cannot answer is one try, not postgrest-js’s own retries: 503 with Retry-After', async () => {
    const { accessToken, location } = await registeredDirector();
    const before = h.faults.count('readInstitution');
    h.faults.inject('readInstitution', 'request_lost', Infinity);
    const read = await get(location, accessToken);
    h.faults.clear();
    expect([read.status, read.body.code]).toEqual([503, 'supabase_unavailable']);
    expect(Number(read.headers['retry-after'])).toBeGreaterThan(0);
    // postgrest-js would retry a failed GET three more times, 1, 2 and 4 s apart, each with a fresh timeout.
    expect(h.faults.count('readInstitution') - before).toBe(1);
  });

  it('another director gets 404 on the first one’s Location and sees only their own rows through Supabase', async () => {
    const first = await registeredDirector();
    const second = await registeredDirector();
    const foreign = await get(first.location, second.accessToken);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'institution_not_found']);
    const unknown = await get('/api/v1/institutions/3f0d1c52-3a8e-4b43-9a59-6f0f4c9e2a11', second.accessToken);
    expect([unknown.status, unknown.body.code, unknown.body.detail]).toEqual([404, foreign.body.code, foreign.body.detail]);

    const institutions = await second.client.from('institutions').select('id');
    expect(institutions.data).toEqual([{ id: second.registered.body.institution.id }]);
    const profiles = await second.client.from('user_profiles').select('user_id, institution_id, role');
    expect(profiles.data).toEqual([{ user_id: second.registered.body.director.id, institution_id: second.registered.body.institution.id, role: 'director' }]);
  });

  it('a signed-out session, or a banned director, reads nothing with a token that is still unexpired', async () => {
    const signedOut = await registeredDirector();
    expect((await get(signedOut.location, signedOut.accessToken)).status).toBe(200);
    const { error } = await signedOut.client.auth.signOut({ scope: 'global' });
    expect(error).toBeNull();
    const afterSignOut = await get(signedOut.location, signedOut.accessToken);
    expect([afterSignOut.status, afterSignOut.body.code]).toEqual([404, 'institution_not_found']);
    const direct = createSupabaseClient({ url: h.local.url, apiKey: h.local.anonKey, accessToken: signedOut.accessToken });
    expect((await direct.from('institutions').select('id')).data).toEqual([]);

    const banned = await registeredDirector();
    const admin = createSupabaseClient({ url: h.local.url, apiKey: h.local.serviceRoleKey });
    expect((await admin.auth.admin.updateUserById(banned.registered.body.director.id, { ban_duration: '24h' })).error).toBeNull();
    const afterBan = await get(banned.location, banned.accessToken);
    expect([afterBan.status, afterBan.body.code]).toEqual([404, 'institution_not_found']);
  });

  it('anon reads no row; a director can neither insert nor update, and sees no idempotency key', async () => {
    const { client, registered } = await registeredDirector();
    const anon = createSupabaseClient({ url: h.local.url, apiKey: h.local.anonKey });
    expect((await anon.from('institutions').select('id')).data).toEqual([]);
    expect((await anon.from('user_profiles').select('user_id')).data).toEqual([]);

    const insert = await client.from('institutions').insert({ name: 'Rogue School', subdomain: `rogue-${Date.now()}` });
    expect([insert.status, insert.error?.code]).toEqual([403, '42501']);
    const update = await client.from('institutions').update({ status: 'active' }).eq('id', registered.body.institution.id);
    expect([update.status, update.error?.code]).toEqual([403, '42501']);
    const keys = await client.from('idempotency_keys').select('id');
    expect([keys.status, keys.error?.code]).toEqual([403, '42501']);
    const stored = await h.local.db.query<{ status: string }>('select status from public.institutions where id = $1', [registered.body.institution.id]);
    expect(stored).toEqual([{ status: 'trial' }]);
  });

  it('answers 401 with a Bearer challenge without a token or with a bad or expired one, 400 for a malformed id', async () => {
    const { accessToken, location, registered } = await registeredDirector();
    const missing = await get(location);
    expect([missing.status, missing.body.code, missing.headers['www-authenticate']]).toEqual([401, 'unauthorized', 'Bearer realm="ims-api"']);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);

    const forged = await get(location, `${accessToken.slice(0, -4)}AAAA`);
    expect([forged.status, forged.body.code]).toEqual([401, 'invalid_token']);
    expect(forged.headers['www-authenticate']).toMatch(/^Bearer realm="ims-api", error="invalid_token"/);

    const signed = (issuer: string, expiresAt: number) =>
      new SignJWT({ sub: registered.body.director.id, role: 'authenticated', aud: 'authenticated', session_id: crypto.randomUUID() })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(issuer)
        .setExpirationTime(expiresAt)
        .sign(new TextEncoder().encode(h.local.jwtSecret));
    const now = Math.floor(Date.now() / 1000);
    const late = await get(location, await signed(`${h.local.url}/auth/v1`, now - 60));
    expect([late.status, late.body.code, late.body.detail]).toEqual([401, 'invalid_token', 'The access token has expired; refresh the session.']);

    // Signed with the right secret, but not by this project's Supabase Auth.
    const elsewhere = await get(location, await signed('https://someone-else.supabase.co/auth/v1', now + 600));
    expect([elsewhere.status, elsewhere.body.code]).toEqual([401, 'invalid_token']);

    const serviceKey = await get(location, h.local.serviceRoleKey);
    expect([serviceKey.status, serviceKey.body.code]).toEqual([401, 'invalid_token']);

    const malformed = await get('/api/v1/institutions/not-a-uuid', accessToken);
    expect([malformed.status, malformed.body.code]).toEqual([400, 'invalid_institution_id']);
  });
});
