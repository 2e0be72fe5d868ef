/** GoTrue admin contract, through supabase-js and raw HTTP: create, get and delete, with GoTrue's shapes and errors. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contractTargets, useTarget } from '../support/target.js';

const email = (tag: string) => `${tag}-${randomUUID()}@Example.COM`;

describe.each(contractTargets())('GoTrue admin contract: $name', (factory) => {
  const t = useTarget(factory);

  it('createUser with a chosen id answers the user object, email lower-cased, metadata merged', async () => {
    const id = randomUUID();
    const address = email('create');
    const { data, error } = await t.service.auth.admin.createUser({
      id,
      email: address,
      password: 'correct horse battery',
      email_confirm: true,
      app_metadata: { registration_id: 'reg-1' },
      user_metadata: { full_name: 'Ada Director' },
    });
    expect(error).toBeNull();
    const user = data.user!;
    expect(user).toMatchObject({
      id,
      aud: 'authenticated',
      role: 'authenticated',
      email: address.toLowerCase(),
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'], registration_id: 'reg-1' },
      user_metadata: { full_name: 'Ada Director', email_verified: true },
      is_anonymous: false,
    });
    expect(user.email_confirmed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(user.identities).toEqual([
      expect.objectContaining({
        id,
        user_id: id,
        provider: 'email',
        email: address.toLowerCase(),
        identity_data: { sub: id, email: address.toLowerCase(), email_verified: false, phone_verified: false },
      }),
    ]);
    expect(user).not.toHaveProperty('last_sign_in_at');
  });

  it('getUserById reloads the user, now with confirmed_at', async () => {
    const created = await t.service.auth.admin.createUser({ email: email('get'), password: 'pw', email_confirm: true });
    const { data, error } = await t.service.auth.admin.getUserById(created.data.user!.id);
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: created.data.user!.id, confirmed_at: data.user!.email_confirmed_at });
  });

  it('stores a bcrypt cost-10 hash, never the password (SQL)', async (context) => {
    if (!t.sql) context.skip();
    const created = await t.service.auth.admin.createUser({ email: email('hash'), password: 'plain-secret-1' });
    const [row] = await t.sql!.query<{ encrypted_password: string; raw: string }>(
      'select encrypted_password, row_to_json(u)::text as raw from auth.users u where id = $1',
      [created.data.user!.id],
    );
    expect(row!.encrypted_password).toMatch(/^\$2[ab]\$10\$.{53}$/);
    expect(row!.raw).not.toContain('plain-secret-1');
  });

  it('a taken email, in any case, is 422 email_exists', async () => {
    const address = email('dup');
    await t.service.auth.admin.createUser({ email: address, password: 'pw' });
    const { data, error } = await t.service.auth.admin.createUser({ email: address.toUpperCase(), password: 'pw' });
    expect(data.user).toBeNull();
    expect(error).toMatchObject({ status: 422, code: 'email_exists' });
  });

  it('an invalid email is 400 validation_failed; a one-character password is accepted (no strength check)', async () => {
    const bad = await t.service.auth.admin.createUser({ email: 'not an email', password: 'pw' });
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed' });
    const weak = await t.service.auth.admin.createUser({ email: email('weak'), password: 'x' });
    expect(weak.error).toBeNull();
  });

  it('deleteUser removes the user; a second delete and a get are 404 user_not_found', async () => {
    const created = await t.service.auth.admin.createUser({ email: email('delete'), password: 'pw' });
    const id = created.data.user!.id;
    expect((await t.service.auth.admin.deleteUser(id)).error).toBeNull();
    expect((await t.service.auth.admin.getUserById(id)).error).toMatchObject({ status: 404, code: 'user_not_found' });
    expect((await t.service.auth.admin.deleteUser(id)).error).toMatchObject({ status: 404, code: 'user_not_found' });
  });

  it('admin routes refuse the anon key (403 not_admin), a missing bearer (401) and a forged JWT (403 bad_jwt)', async () => {
    const anon = await t.anon.auth.admin.getUserById(randomUUID());
    expect(anon.error).toMatchObject({ status: 403, code: 'not_admin' });
    const headers = { apikey: 'sb_publishable_not_a_known_key', 'X-Supabase-Api-Version': '2024-01-01' };
    const missing = await fetch(`${t.url}/auth/v1/admin/users/${randomUUID()}`, { headers });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 'no_authorization' });
    const forged = await fetch(`${t.url}/auth/v1/admin/users/${randomUUID()}`, {
      headers: { ...headers, Authorization: 'Bearer abc.def.ghi' },
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('x-sb-error-code')).toBe('bad_jwt');
  });

  it('errors keep the initial API shape when no X-Supabase-Api-Version is sent', async () => {
    const response = await fetch(`${t.url}/auth/v1/admin/users/${randomUUID()}`, {
      headers: { apikey: t.serviceRoleKey, Authorization: `Bearer ${t.serviceRoleKey}` },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 404, error_code: 'user_not_found', msg: 'User not found' });
  });
});
